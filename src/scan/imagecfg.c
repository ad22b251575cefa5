/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image configuration checks inside `customs scan`: what the config and the final filesystem
 * say about least privilege. Each finding names the CIS Docker Benchmark v1.6.0 section 4
 * recommendation it maps to.
 */
#include <stdio.h>
#include <string.h>

#include "formats/json.h"
#include "scan/imagecfg.h"

#include "core/banned.h"

#define LIST_MAX 8

static int add(struct customs_report *r, const char *check, enum customs_severity sev,
               const char *title, const char *message, const char *fix, const char *path,
               const char *cis)
{
    struct customs_misconfig *m = customs_vec_push(&r->misconfigs);
    if (m == NULL) {
        return CUSTOMS_ENOMEM;
    }
    memset(m, 0, sizeof(*m));
    m->check = check;
    m->source = "image-config";
    m->severity = sev;
    m->title = title;
    m->message = customs_arena_strdup(&r->arena, message);
    m->fix = fix;
    m->object = r->target.name;
    m->path = path != NULL ? customs_arena_strdup(&r->arena, path) : NULL;
    m->reference = cis;
    return m->message == NULL ? CUSTOMS_ENOMEM : 0;
}

static bool user_is_root(const char *user)
{
    if (user == NULL || user[0] == '\0') {
        return true;
    }
    size_t n = strcspn(user, ":");
    return (n == 4 && strncmp(user, "root", 4) == 0) || (n == 1 && user[0] == '0');
}

static bool exposes_22(const json_t *ports)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)ports, key, v) {
        if (strcmp(key, "22") == 0 || strcmp(key, "22/tcp") == 0) {
            return true;
        }
    }
    return false;
}

static bool temp_path(const char *p)
{
    static const char *const dirs[] = {"/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        size_t n = strlen(dirs[i]);
        if (strncmp(p, dirs[i], n) == 0 && (p[n] == '\0' || p[n] == '/')) {
            return true;
        }
    }
    return customs_str_has_prefix(p, "/proc/") || customs_str_has_prefix(p, "/sys/");
}

static bool cache_path(const char *p)
{
    static const char *const caches[] = {"/var/cache/apt/archives/", "/var/lib/apt/lists/",
                                         "/var/cache/apk/", "/var/cache/yum/",
                                         "/var/cache/dnf/", "/root/.cache/pip/",
                                         "/root/.npm/_cacache/"};
    const char *base = customs_path_base(p);
    if (strcmp(base, "lock") == 0 || strstr(p, "/partial") != NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
        if (customs_str_has_prefix(p, caches[i])) {
            return true;
        }
    }
    return false;
}

/* A count and the LIST_MAX first paths in byte order (whatever order the view yields them
 * in, the same examples), copied: the view's paths live only during its callback. */
struct sample {
    char *first[LIST_MAX];
    size_t n;
};

static int sample_add(struct sample *s, const char *path)
{
    size_t keep = s->n < LIST_MAX ? s->n : LIST_MAX;
    size_t at = keep;
    s->n++;
    while (at > 0 && strcmp(path, s->first[at - 1]) < 0) {
        at--;
    }
    if (at == LIST_MAX) {
        return 0;
    }
    char *copy = customs_strdup(path);
    if (copy == NULL) {
        return CUSTOMS_ENOMEM;
    }
    if (keep == LIST_MAX) {
        customs_free(s->first[LIST_MAX - 1]); /* pushed out */
        keep--;
    }
    memmove(&s->first[at + 1], &s->first[at], (keep - at) * sizeof(s->first[0]));
    s->first[at] = copy;
    return 0;
}

static void sample_release(struct sample *s)
{
    for (size_t i = 0; i < LIST_MAX && i < s->n; i++) {
        customs_free(s->first[i]);
    }
}

static void sample_text(char *out, size_t outsz, const struct sample *s)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n && i < LIST_MAX && o < outsz; i++) {
        int w = snprintf(out + o, outsz - o, "%s%s", i ? ", " : "", s->first[i]);
        o += w > 0 ? (size_t)w : 0;
    }
    if (s->n > LIST_MAX && o < outsz) {
        snprintf(out + o, outsz - o, " and %zu more", s->n - LIST_MAX);
    }
}

struct fs_samples {
    struct sample suid;
    struct sample writable;
    struct sample caches;
};

static int fs_entry(void *ctx, const struct customs_entry *e)
{
    struct fs_samples *fx = ctx;
    int r = 0;
    if (e->type == CUSTOMS_ENTRY_FILE && (e->mode & 06000) != 0) {
        r = sample_add(&fx->suid, e->path);
    }
    if (r == 0 &&
        (e->type == CUSTOMS_ENTRY_FILE ||
         (e->type == CUSTOMS_ENTRY_DIR && (e->mode & 01000) == 0)) &&
        (e->mode & 0002) != 0 && !temp_path(e->path)) {
        r = sample_add(&fx->writable, e->path);
    }
    if (r == 0 && e->type == CUSTOMS_ENTRY_FILE && cache_path(e->path)) {
        r = sample_add(&fx->caches, e->path);
    }
    return r;
}

int customs_imagecfg_check(struct customs_report *r, const json_t *config,
                           struct customs_fsview *fs)
{
    const json_t *inner = json_object_get(config, "config");
    char msg[2048];
    char list[1400];
    int rc = 0;
    if (config != NULL) {
        const char *user = customs_json_str(inner, "User");
        if (user_is_root(user)) {
            snprintf(msg, sizeof(msg),
                     "the image runs as root (config User is %s%s%s)",
                     user == NULL || user[0] == '\0' ? "empty" : "\"",
                     user != NULL && user[0] != '\0' ? user : "",
                     user != NULL && user[0] != '\0' ? "\"" : "");
            rc = add(r, "CUSTOMS-IMG-001", CUSTOMS_SEVERITY_HIGH, "Image runs as root", msg,
                     "create an unprivileged user in the image and end the Dockerfile with "
                     "USER <name or uid>",
                     "config.User", "CIS Docker Benchmark 4.1");
        }
        if (rc == 0 && json_object_get(inner, "Healthcheck") == NULL) {
            rc = add(r, "CUSTOMS-IMG-002", CUSTOMS_SEVERITY_LOW, "No HEALTHCHECK",
                     "the image config has no Healthcheck",
                     "add a HEALTHCHECK instruction that probes the service", "config.Healthcheck",
                     "CIS Docker Benchmark 4.6");
        }
        if (rc == 0 && exposes_22(json_object_get(inner, "ExposedPorts"))) {
            rc = add(r, "CUSTOMS-IMG-003", CUSTOMS_SEVERITY_MEDIUM, "Exposes SSH (port 22)",
                     "the image config exposes port 22/tcp",
                     "do not run SSH in containers; use kubectl exec / docker exec", 
                     "config.ExposedPorts", "CIS Docker Benchmark 4.3");
        }
    }
    /* the final filesystem */
    struct fs_samples fx = {0};
    const struct sample *suid = &fx.suid;
    const struct sample *writable = &fx.writable;
    const struct sample *caches = &fx.caches;
    if (rc == 0 && fs != NULL) {
        rc = customs_fsview_walk(fs, fs_entry, &fx);
    }
    if (rc == 0 && suid->n > 0) {
        sample_text(list, sizeof(list), suid);
        snprintf(msg, sizeof(msg), "%zu setuid/setgid file%s: %s", suid->n, suid->n == 1 ? "" : "s",
                 list);
        rc = add(r, "CUSTOMS-IMG-004", CUSTOMS_SEVERITY_LOW, "setuid or setgid files", msg,
                 "remove the bits where not needed: RUN find / -xdev -perm /6000 -type f "
                 "-exec chmod a-s {} +",
                 suid->first[0], "CIS Docker Benchmark 4.8");
    }
    if (rc == 0 && writable->n > 0) {
        sample_text(list, sizeof(list), writable);
        snprintf(msg, sizeof(msg), "%zu world-writable path%s outside /tmp: %s", writable->n,
                 writable->n == 1 ? "" : "s", list);
        rc = add(r, "CUSTOMS-IMG-005", CUSTOMS_SEVERITY_MEDIUM, "World-writable files", msg,
                 "chmod o-w them (or give directories the sticky bit)", writable->first[0],
                 "CIS Docker Benchmark 4.8");
    }
    if (rc == 0 && caches->n > 0) {
        sample_text(list, sizeof(list), caches);
        snprintf(msg, sizeof(msg), "%zu package-manager cache file%s left in the image: %s",
                 caches->n, caches->n == 1 ? "" : "s", list);
        rc = add(r, "CUSTOMS-IMG-006", CUSTOMS_SEVERITY_LOW, "Package-manager caches left behind",
                 msg,
                 "clean up in the same RUN: apt-get ... && rm -rf /var/lib/apt/lists/*, "
                 "apk add --no-cache, pip install --no-cache-dir",
                 caches->first[0], "CIS Docker Benchmark 4.7");
    }
    /* an SSH server among the packages */
    for (size_t i = 0; rc == 0 && i < r->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        if (p->name != NULL && (strcmp(p->name, "openssh-server") == 0 ||
                                strcmp(p->name, "dropbear") == 0 ||
                                strcmp(p->name, "dropbear-bin") == 0)) {
            snprintf(msg, sizeof(msg), "an SSH server is installed: %s %s", p->name,
                     p->version != NULL ? p->version : "");
            rc = add(r, "CUSTOMS-IMG-007", CUSTOMS_SEVERITY_MEDIUM, "SSH server installed", msg,
                     "remove the SSH server package; use kubectl exec / docker exec", p->path,
                     "CIS Docker Benchmark 4.3");
        }
    }
    sample_release(&fx.suid);
    sample_release(&fx.writable);
    sample_release(&fx.caches);
    return rc;
}
