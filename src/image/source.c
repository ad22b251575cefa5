/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening an image: find its manifest, config and layers in a docker-archive tar, an OCI
 * image layout (directory or tar) or take a directory as a root filesystem; verify every
 * document against its digest; pick one platform of a multi-platform index.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/json.h"
#include "image/blob.h"

#include "core/banned.h"

static const char *const prefixes[] = {"docker-archive:", "oci:", "dir:"};

const char *customs_source_kind_name(enum customs_source_kind kind)
{
    switch (kind) {
    case CUSTOMS_SOURCE_DOCKER_ARCHIVE:
        return "docker-archive";
    case CUSTOMS_SOURCE_OCI:
        return "oci";
    case CUSTOMS_SOURCE_DIR:
        return "dir";
    case CUSTOMS_SOURCE_REGISTRY:
        return "registry";
    }
    return "unknown";
}

/* Everything needed while opening, freed at the end. */
struct opener {
    struct customs_image *img;
    const struct customs_limits *limits;
    struct customs_error *err;
    struct customs_tar_member *members; /* for tars */
    size_t nmembers;
    struct customs_strmap member_index; /* member name -> its first member */
    struct customs_image_selector sel; /* oci:PATH:SEL, docker-archive:PATH:SEL */
    bool layout;     /* reading an OCI layout's index.json (not a registry's index) */
    bool shallow;    /* listing: an index named by index.json is one image, not opened */
    const char *top; /* the index.json descriptor being walked (its digest) */
    const char *top_name; /* and its ref name, or NULL */
    /* index walking: every index and manifest is considered once, by digest */
    struct customs_strmap seen;  /* digest -> (void *)1; keys in seen_keys */
    struct customs_arena seen_keys;
    uint64_t considered;         /* descriptors read from indexes, against max_manifests */
};

void customs_image_free(struct customs_image *img)
{
    if (img == NULL) {
        return;
    }
    for (size_t i = 0; i < img->nlayers; i++) {
        customs_free(img->layers[i].media_type);
        customs_free(img->layers[i].member);
    }
    customs_free(img->layers);
    customs_free(img->path);
    if (img->fd >= 0) {
        close(img->fd);
    }
    customs_free(img->platform);
    customs_free(img->repo_tags);
    if (img->config != NULL) {
        json_decref(img->config);
    }
    if (img->remote != NULL && img->remote->release != NULL) {
        img->remote->release(img->remote_ctx);
    }
    customs_free(img);
}

static const struct customs_tar_member *member_find(const struct opener *o, const char *name)
{
    return customs_strmap_get(&o->member_index, name);
}

/* Index the members by name (the first of a name, as a scan of the list would find it): each
 * lookup is then constant, not a walk of an archive that may hold millions of entries. */
static int members_index(struct opener *o)
{
    for (size_t i = 0; i < o->nmembers; i++) {
        const char *name = o->members[i].name;
        if (customs_strmap_get(&o->member_index, name) == NULL &&
            customs_strmap_put(&o->member_index, name, &o->members[i]) < 0) {
            return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}

/* Follow symlinks and hardlinks between members (old `docker save` links repeated layers). */
static const struct customs_tar_member *member_resolve(const struct opener *o, const char *name)
{
    const struct customs_tar_member *m = member_find(o, name);
    for (int hops = 0; m != NULL && (m->type == 'l' || m->type == 'h') && hops < 8; hops++) {
        char joined[CUSTOMS_MEMBER_MAX * 2 + 8];
        char dir[CUSTOMS_MEMBER_MAX];
        if (m->type == 'h') {
            if (customs_path_clean(joined, sizeof(joined), m->link, strlen(m->link)) < 0) {
                return NULL;
            }
        } else {
            memcpy(dir, m->name, strlen(m->name) + 1);
            char *slash = strrchr(dir, '/');
            if (slash != NULL) {
                *slash = '\0';
            } else {
                dir[0] = '\0';
            }
            if (customs_path_join(joined, sizeof(joined), dir, m->link) < 0) {
                return NULL;
            }
        }
        m = member_find(o, joined + 1);
    }
    return m != NULL && m->type == 'f' ? m : NULL;
}

/* "DIR/REL" in a new string (caller frees), or NULL. */
static char *under(const char *dir, const char *rel)
{
    size_t dl = strlen(dir), rl = strlen(rel);
    char *full = customs_malloc(dl + rl + 2);
    if (full != NULL) {
        memcpy(full, dir, dl);
        full[dl] = '/';
        memcpy(full + dl + 1, rel, rl + 1);
    }
    return full;
}

/* Read a whole document: a member of the tar, or a file under the directory. */
static int read_doc(const struct opener *o, const char *rel, uint8_t **data, size_t *len)
{
    struct customs_blob_stream s;
    char *full = NULL;
    int r;
    if (o->img->is_tar) {
        const struct customs_tar_member *m = member_resolve(o, rel);
        if (m == NULL) {
            return customs_error_set(o->err, CUSTOMS_ENOTFOUND, "%s: '%s' not found in the archive",
                                     o->img->path, rel);
        }
        r = customs_blob_stream_member(&s, o->img->fd, o->img->path, m->name, o->err);
    } else {
        full = under(o->img->path, rel);
        if (full == NULL) {
            return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
        }
        r = customs_blob_stream_file(&s, o->img->fd, rel, full, o->err);
    }
    if (r == 0) {
        r = customs_blob_read_all(data, len, &s, rel, o->limits->max_json_bytes, o->err);
        s.close(s.ctx);
    }
    customs_free(full);
    return r;
}

static int blob_rel(char *out, size_t outsz, const char *digest, struct customs_error *err)
{
    if (!customs_digest_is_valid(digest)) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "'%.100s' is not a sha256 digest customs can read", digest);
    }
    int n = snprintf(out, outsz, "blobs/sha256/%s", digest + 7);
    return n < 0 || (size_t)n >= outsz ? CUSTOMS_ELIMIT : 0;
}

/* Read a JSON document by digest and check that its bytes hash to it. */
static int read_verified_json(const struct opener *o, const char *digest, const char *what,
                              json_t **out, char digest_out[CUSTOMS_DIGEST_MAX])
{
    char rel[CUSTOMS_MEMBER_MAX];
    char got[CUSTOMS_DIGEST_MAX];
    uint8_t *data = NULL;
    size_t len = 0;
    struct customs_sha256 sha;
    int r = blob_rel(rel, sizeof(rel), digest, o->err);
    if (r == 0 && o->img->remote != NULL) {
        r = o->img->remote->fetch(o->img->remote_ctx, what, digest, o->limits->max_json_bytes,
                                  &data, &len, o->err);
        memcpy(rel, digest, strlen(digest) + 1);
    } else if (r == 0) {
        r = read_doc(o, rel, &data, &len);
    }
    if (r < 0) {
        customs_error_prefix(o->err, "%s %s", what, digest);
        return r;
    }
    if (customs_sha256_init(&sha) < 0) {
        customs_free(data);
        return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
    }
    customs_sha256_update(&sha, data, len);
    customs_sha256_final(&sha, got);
    customs_sha256_release(&sha);
    if (strcmp(got, digest) != 0) {
        customs_free(data);
        return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                 "%s %s: digest mismatch: the blob's content hashes to %s", what,
                                 digest, got);
    }
    r = customs_json_parse(out, rel, data, len, o->limits->max_json_bytes, o->err);
    customs_free(data);
    if (r == 0 && digest_out != NULL) {
        memcpy(digest_out, digest, strlen(digest) + 1);
    }
    return r;
}

/* ---- platforms ---- */

struct platform {
    char os[32];
    char arch[32];
    char variant[32];
};

static void platform_copy(char *dst, size_t n, const char *s)
{
    size_t len = s != NULL ? strlen(s) : 0;
    if (len >= n) {
        len = n - 1;
    }
    memcpy(dst, s != NULL ? s : "", len);
    dst[len] = '\0';
}

static int platform_parse(struct platform *p, const char *s, struct customs_error *err)
{
    char buf[100];
    memset(p, 0, sizeof(*p));
    if (strlen(s) >= sizeof(buf)) {
        return customs_error_set(err, CUSTOMS_EINVAL, "--platform '%.50s...' is too long", s);
    }
    memcpy(buf, s, strlen(s) + 1);
    char *arch = strchr(buf, '/');
    if (arch == NULL || arch == buf || arch[1] == '\0') {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "--platform '%s': expected OS/ARCH[/VARIANT], e.g. linux/arm64",
                                 s);
    }
    *arch++ = '\0';
    char *variant = strchr(arch, '/');
    if (variant != NULL) {
        *variant++ = '\0';
    }
    platform_copy(p->os, sizeof(p->os), buf);
    platform_copy(p->arch, sizeof(p->arch), arch);
    platform_copy(p->variant, sizeof(p->variant), variant);
    return 0;
}

static void platform_from_json(struct platform *p, const json_t *obj)
{
    memset(p, 0, sizeof(*p));
    platform_copy(p->os, sizeof(p->os), customs_json_str(obj, "os"));
    platform_copy(p->arch, sizeof(p->arch), customs_json_str(obj, "architecture"));
    platform_copy(p->variant, sizeof(p->variant), customs_json_str(obj, "variant"));
}

/* `want` matches `have`; an empty variant in `want` matches any (arm64 is arm64/v8). */
static bool platform_match(const struct platform *want, const struct platform *have)
{
    if (strcmp(want->os, have->os) != 0 || strcmp(want->arch, have->arch) != 0) {
        return false;
    }
    return want->variant[0] == '\0' || strcmp(want->variant, have->variant) == 0 ||
           (have->variant[0] == '\0' && strcmp(want->arch, "arm64") == 0 &&
            strcmp(want->variant, "v8") == 0);
}

static char *platform_string(const struct platform *p)
{
    struct customs_buf b;
    customs_buf_init(&b, 0);
    if (customs_buf_printf(&b, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "",
                           p->variant) < 0) {
        customs_buf_release(&b);
        return NULL;
    }
    return customs_buf_detach(&b);
}

/* ---- OCI index walking ---- */

struct candidate {
    char digest[CUSTOMS_DIGEST_MAX];
    char top[CUSTOMS_DIGEST_MAX]; /* the index.json descriptor it was reached from */
    const char *name;             /* that descriptor's ref name (borrowed from the index) */
    struct platform platform;
    bool has_platform;
};

static bool media_is_index(const char *mt)
{
    return mt != NULL && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
                          strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") ==
                              0);
}

static bool media_is_manifest(const char *mt)
{
    return mt == NULL || strcmp(mt, "application/vnd.oci.image.manifest.v1+json") == 0 ||
           strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json") == 0;
}

/* First sight of `digest` in this walk? (then remembered) */
static int first_sight(struct opener *o, const char *digest, bool *first)
{
    *first = customs_strmap_get(&o->seen, digest) == NULL;
    if (!*first) {
        return 0;
    }
    char *key = customs_arena_strdup(&o->seen_keys, digest);
    if (key == NULL || customs_strmap_put(&o->seen, key, (void *)1) < 0) {
        return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}

/* Is index.json's entry `i` one the selector names? (a digest is matched after the walk) */
static bool collect_selected(const struct opener *o, size_t i, const char *refname,
                             const json_t *ann)
{
    const char *full = customs_json_str(ann, "io.containerd.image.name");
    switch (o->sel.kind) {
    case CUSTOMS_SELECT_INDEX:
        return i == o->sel.index;
    case CUSTOMS_SELECT_NAME:
        return (refname != NULL && strcmp(refname, o->sel.text) == 0) ||
               (full != NULL && customs_docker_ref_equal(full, o->sel.text));
    case CUSTOMS_SELECT_NONE:
    case CUSTOMS_SELECT_DIGEST:
        break;
    }
    return true;
}

/*
 * The image manifests an index leads to. Each index and each manifest is considered once by
 * its digest however many descriptors name it (an index naming the same child index many
 * times at every level would otherwise cost its fan-out to the power of the depth), the
 * nesting is limited to max_index_depth and the descriptors read to max_manifests.
 */
static int collect(struct opener *o, const json_t *index, unsigned depth, struct customs_vec *out)
{
    const json_t *manifests = json_object_get(index, "manifests");
    size_t i;
    const json_t *d;
    if (!json_is_array(manifests)) {
        return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                 "%s: index has no \"manifests\" array", o->img->path);
    }
    json_array_foreach(manifests, i, d) {
        const char *mt = customs_json_str(d, "mediaType");
        const char *digest = customs_json_str(d, "digest");
        const json_t *ann = json_object_get(d, "annotations");
        const char *refname = customs_json_str(ann, "org.opencontainers.image.ref.name");
        const char *reftype = customs_json_str(ann, "vnd.docker.reference.type");
        bool first;
        if (digest == NULL) {
            return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                     "%s: index entry %zu has no digest", o->img->path, i);
        }
        if (++o->considered > o->limits->max_manifests) {
            return customs_error_set(o->err, CUSTOMS_ELIMIT,
                                     "%s: the image indexes list more than %llu descriptors "
                                     "(--max-manifests)",
                                     o->img->path, (unsigned long long)o->limits->max_manifests);
        }
        if (depth == 0 && !collect_selected(o, i, refname, ann)) {
            continue;
        }
        if (reftype != NULL && strcmp(reftype, "attestation-manifest") == 0) {
            continue;
        }
        if (depth == 0 && customs_image_is_cosign_artifact(d)) {
            continue; /* cosign's signatures, attestations, SBOMs stored beside the image */
        }
        if (depth == 0) {
            o->top = digest;
            o->top_name = refname;
        }
        if (!media_is_index(mt) && !media_is_manifest(mt)) {
            continue; /* signatures, attestations, artifacts */
        }
        int r = first_sight(o, digest, &first);
        if (r < 0) {
            return r;
        }
        if (!first) {
            continue;
        }
        if (media_is_index(mt) && !o->shallow) {
            json_t *child = NULL;
            if (depth + 1 > o->limits->max_index_depth) {
                return customs_error_set(o->err, CUSTOMS_ELIMIT,
                                         "%s: image indexes nested deeper than %u "
                                         "(--max-index-depth), at %.80s",
                                         o->img->path, o->limits->max_index_depth, digest);
            }
            r = read_verified_json(o, digest, "index", &child, NULL);
            if (r == 0) {
                r = collect(o, child, depth + 1, out);
            }
            json_decref(child);
            if (r < 0) {
                return r;
            }
            continue;
        }
        struct candidate *c = customs_vec_push(out);
        if (c == NULL) {
            return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
        }
        memset(c, 0, sizeof(*c));
        if (!customs_digest_is_valid(digest)) {
            return customs_error_set(o->err, CUSTOMS_EUNSUPPORTED,
                                     "%s: manifest digest '%.100s' is not sha256", o->img->path,
                                     digest);
        }
        memcpy(c->digest, digest, strlen(digest) + 1);
        if (customs_digest_is_valid(o->top)) {
            memcpy(c->top, o->top, strlen(o->top) + 1);
        }
        c->name = o->top_name;
        const json_t *plat = json_object_get(d, "platform");
        if (json_is_object(plat)) {
            platform_from_json(&c->platform, plat);
            c->has_platform = true;
        }
    }
    return 0;
}

/* ---- layers from a manifest and config ---- */

static int take_config(const struct opener *o, json_t *config)
{
    struct customs_image *img = o->img;
    const json_t *rootfs = json_object_get(config, "rootfs");
    const json_t *diff_ids = json_object_get(rootfs, "diff_ids");
    struct platform p;
    size_t i;
    const json_t *v;
    img->config = config;
    if (!json_is_array(diff_ids)) {
        return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                 "config %s: no rootfs.diff_ids array", img->config_digest);
    }
    if (json_array_size(diff_ids) != img->nlayers) {
        return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                 "config %s: %zu diff_ids for %zu layers", img->config_digest,
                                 json_array_size(diff_ids), img->nlayers);
    }
    json_array_foreach(diff_ids, i, v) {
        const char *d = json_string_value(v);
        if (d == NULL || !customs_digest_is_valid(d)) {
            return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                     "config %s: diff_ids[%zu] is not a sha256 digest",
                                     img->config_digest, i);
        }
        memcpy(img->layers[i].diff_id, d, strlen(d) + 1);
    }
    platform_from_json(&p, config);
    if (p.os[0] != '\0' && p.arch[0] != '\0' && img->platform == NULL) {
        img->platform = platform_string(&p);
        if (img->platform == NULL) {
            return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}

static int layers_alloc(const struct opener *o, size_t n)
{
    if (n > o->limits->max_layers) {
        return customs_error_set(o->err, CUSTOMS_ELIMIT,
                                 "%s: the image has %zu layers, more than %u (--max-layers)",
                                 o->img->path, n, o->limits->max_layers);
    }
    o->img->layers = customs_calloc(n == 0 ? 1 : n, sizeof(struct customs_image_layer));
    if (o->img->layers == NULL) {
        return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
    }
    o->img->nlayers = n;
    return 0;
}

static int open_manifest(const struct opener *o, const char *digest)
{
    struct customs_image *img = o->img;
    json_t *manifest = NULL;
    json_t *config = NULL;
    size_t i;
    const json_t *d;
    int r = read_verified_json(o, digest, "manifest", &manifest, img->manifest_digest);
    if (r < 0) {
        return r;
    }
    const json_t *cfg = json_object_get(manifest, "config");
    const json_t *layers = json_object_get(manifest, "layers");
    const char *cfg_digest = customs_json_str(cfg, "digest");
    if (cfg_digest == NULL || !json_is_array(layers)) {
        json_decref(manifest);
        return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                 "manifest %s: no config digest or no layers array", digest);
    }
    r = layers_alloc(o, json_array_size(layers));
    json_array_foreach(layers, i, d) {
        const char *ld = customs_json_str(d, "digest");
        const char *mt = customs_json_str(d, "mediaType");
        struct customs_image_layer *l = &img->layers[i];
        if (r < 0) {
            break;
        }
        if (ld == NULL || !customs_digest_is_valid(ld)) {
            r = customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                  "manifest %s: layers[%zu] has no sha256 digest", digest, i);
            break;
        }
        memcpy(l->digest, ld, strlen(ld) + 1);
        l->has_size = customs_json_u64(d, "size", &l->size);
        if (mt != NULL && (l->media_type = customs_strdup(mt)) == NULL) {
            r = customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    if (r == 0) {
        r = read_verified_json(o, cfg_digest, "config", &config, img->config_digest);
    }
    json_decref(manifest);
    if (r == 0) {
        r = take_config(o, config);
    }
    return r;
}

/* ---- several images in one layout or archive ---- */

void customs_image_held_release(struct customs_vec *held)
{
    for (size_t i = 0; i < held->len; i++) {
        struct customs_held_image *h = customs_vec_at(held, i);
        customs_free(h->names);
        customs_free(h->selector);
    }
    customs_vec_release(held);
}

static int held_push(struct customs_vec *held, const char *digest, const char *names,
                     const char *selector, struct customs_error *err)
{
    struct customs_held_image *h = customs_vec_push(held);
    if (h == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (digest != NULL && customs_digest_is_valid(digest)) {
        memcpy(h->digest, digest, strlen(digest) + 1);
    }
    h->names = names != NULL ? customs_strdup(names) : NULL;
    h->selector = selector != NULL ? customs_strdup(selector) : NULL;
    if ((names != NULL && h->names == NULL) || (selector != NULL && h->selector == NULL)) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}

static bool platform_equal(const struct platform *a, const struct platform *b)
{
    return strcmp(a->os, b->os) == 0 && strcmp(a->arch, b->arch) == 0 &&
           strcmp(a->variant, b->variant) == 0;
}

/* Are the candidates the platforms of one image listed in index.json itself: each its own
 * entry with a platform, no two alike, under at most one name? */
static bool cands_are_platforms(const struct customs_vec *cands)
{
    const char *name = NULL;
    for (size_t i = 0; i < cands->len; i++) {
        const struct candidate *c = customs_vec_at(cands, i);
        if (!c->has_platform || strcmp(c->top, c->digest) != 0) {
            return false;
        }
        if (c->name != NULL && name != NULL && strcmp(c->name, name) != 0) {
            return false;
        }
        name = c->name != NULL ? c->name : name;
        for (size_t j = 0; j < i; j++) {
            if (platform_equal(&c->platform,
                               &((const struct candidate *)customs_vec_at(cands, j))->platform)) {
                return false;
            }
        }
    }
    return true;
}

/* Is candidate `i` the first of its index.json entry? */
static bool cand_is_first_of_top(const struct customs_vec *cands, size_t i)
{
    const struct candidate *c = customs_vec_at(cands, i);
    for (size_t j = 0; j < i; j++) {
        if (strcmp(((const struct candidate *)customs_vec_at(cands, j))->top, c->top) == 0) {
            return false;
        }
    }
    return true;
}

/* The distinct images among the candidates: one per index.json entry (or one in all when
 * index.json lists the platforms of one image), named by ref name when no other has it. */
static int held_from_cands(struct customs_vec *held, const struct customs_vec *cands,
                           struct customs_error *err)
{
    if (cands->len > 0 && cands_are_platforms(cands)) {
        const char *name = NULL;
        for (size_t i = 0; i < cands->len && name == NULL; i++) {
            name = ((const struct candidate *)customs_vec_at(cands, i))->name;
        }
        return held_push(held, NULL, name, NULL, err);
    }
    for (size_t i = 0; i < cands->len; i++) {
        const struct candidate *c = customs_vec_at(cands, i);
        bool unique = c->name != NULL;
        if (!cand_is_first_of_top(cands, i)) {
            continue;
        }
        for (size_t j = 0; j < cands->len && unique; j++) {
            const struct candidate *d = customs_vec_at(cands, j);
            unique = strcmp(d->top, c->top) == 0 || d->name == NULL ||
                     strcmp(d->name, c->name) != 0;
        }
        int r = held_push(held, c->top, c->name, unique ? c->name : c->top, err);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

/* Refuse with the images listed as far as the message holds:
 * "<what>: oci:PATH:SEL [names, sha256:0123456789ab], ..." */
static int held_refuse(const struct opener *o, const struct customs_vec *held, const char *what)
{
    const char *kind = customs_source_kind_name(o->img->kind);
    struct customs_buf b;
    int br = 0;
    size_t shown = 0;
    customs_buf_init(&b, 0);
    for (; shown < held->len && b.len < 700; shown++) {
        const struct customs_held_image *h = customs_vec_at(held, shown);
        bool by_name = h->names != NULL && h->selector != NULL && strcmp(h->names, h->selector) == 0;
        customs_buf_addf(&b, &br, "%s%s:%.300s%s%.300s [", shown ? ", " : "", kind, o->img->path,
                         h->selector != NULL ? ":" : "", h->selector != NULL ? h->selector : "");
        if (!by_name) {
            customs_buf_addf(&b, &br, "%.200s%s", h->names != NULL ? h->names : "untagged",
                             h->digest[0] != '\0' ? ", " : "");
        }
        if (h->digest[0] != '\0') {
            customs_buf_addf(&b, &br, "%s%.19s", o->img->kind == CUSTOMS_SOURCE_OCI ? "" : "id ",
                             h->digest);
        }
        customs_buf_addf(&b, &br, "]");
    }
    if (shown < held->len) {
        customs_buf_addf(&b, &br, " and %zu more", held->len - shown);
    }
    int r = br < 0 ? customs_error_set(o->err, br, "out of memory")
                   : customs_error_set(o->err, CUSTOMS_EINVAL, "%s: %s", what,
                                       customs_buf_cstr(&b));
    customs_buf_release(&b);
    return r;
}

/* What the selector asked for, for messages: "named 'x'", "at @2", "with digest sha256:..." */
static const char *sel_words(const struct customs_image_selector *sel)
{
    switch (sel->kind) {
    case CUSTOMS_SELECT_INDEX:
        return "at";
    case CUSTOMS_SELECT_DIGEST:
        return "with digest";
    case CUSTOMS_SELECT_NAME:
        return "named";
    case CUSTOMS_SELECT_NONE:
        break;
    }
    return "";
}

/* Every image index.json leads to, whatever the selector (a second walk, of index.json
 * alone: an index it names is one image, its platforms, and is not opened). */
static int layout_held(struct opener *o, const json_t *index, struct customs_vec *held)
{
    struct customs_image_selector saved = o->sel;
    struct customs_vec cands;
    customs_vec_init(&cands, sizeof(struct candidate));
    customs_strmap_release(&o->seen);
    customs_arena_release(&o->seen_keys);
    customs_strmap_init(&o->seen);
    customs_arena_init(&o->seen_keys);
    o->considered = 0;
    o->sel.kind = CUSTOMS_SELECT_NONE;
    o->shallow = true;
    int r = collect(o, index, 0, &cands);
    o->shallow = false;
    o->sel = saved;
    if (r == 0) {
        r = held_from_cands(held, &cands, o->err);
    }
    customs_vec_release(&cands);
    return r;
}

/* "oci:PATH:sha256:...": the index.json entry of that digest, else the manifest of it. */
static void cands_by_digest(struct customs_vec *cands, const char *digest)
{
    bool top = false;
    size_t kept = 0;
    for (size_t i = 0; i < cands->len && !top; i++) {
        top = strcmp(((const struct candidate *)customs_vec_at(cands, i))->top, digest) == 0;
    }
    for (size_t i = 0; i < cands->len; i++) {
        const struct candidate *c = customs_vec_at(cands, i);
        if (strcmp(top ? c->top : c->digest, digest) == 0) {
            memmove(customs_vec_at(cands, kept++), c, sizeof(*c));
        }
    }
    cands->len = kept;
}

/* A layout is read only when what was asked for is one image: never "first one wins". */
static int layout_one_image(struct opener *o, const json_t *index, const struct customs_vec *cands)
{
    struct customs_vec held;
    char what[1024];
    size_t images = 0;
    for (size_t i = 0; i < cands->len; i++) {
        images += cand_is_first_of_top(cands, i);
    }
    if ((cands->len == 0 && o->sel.kind == CUSTOMS_SELECT_NONE) ||
        (cands->len > 0 && (images <= 1 || cands_are_platforms(cands)))) {
        return 0;
    }
    customs_vec_init(&held, sizeof(struct customs_held_image));
    int r = layout_held(o, index, &held);
    if (r == 0 && o->sel.kind == CUSTOMS_SELECT_NONE) {
        customs_fmt_clip(what, sizeof(what),
                 "%.300s holds %zu images: name one (or scan each with --all-images)",
                 o->img->path, held.len);
    } else if (r == 0 && cands->len == 0) {
        customs_fmt_clip(what, sizeof(what), "%.300s: no image %s '%.100s'; the layout holds",
                 o->img->path, sel_words(&o->sel), o->sel.text);
    } else if (r == 0) {
        customs_fmt_clip(what, sizeof(what),
                 "%.300s: %zu images are %s '%.100s' (ambiguous: refused); the layout holds",
                 o->img->path, images, sel_words(&o->sel), o->sel.text);
    }
    if (r == 0) {
        r = held_refuse(o, &held, what);
    }
    customs_image_held_release(&held);
    return r;
}

static int open_index(struct opener *o, const json_t *index);

/* Parse a top document of the layout or archive: index.json or manifest.json. */
static int read_top_doc(struct opener *o, const char *name, json_t **out)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int r = read_doc(o, name, &data, &len);
    if (r < 0) {
        return r;
    }
    r = customs_json_parse(out, name, data, len, o->limits->max_json_bytes, o->err);
    customs_free(data);
    if (r < 0) {
        customs_error_prefix(o->err, "%s", o->img->path);
    }
    return r;
}

static int open_oci(struct opener *o)
{
    json_t *index = NULL;
    int r = read_top_doc(o, "index.json", &index);
    if (r < 0) {
        return r;
    }
    o->layout = true;
    r = open_index(o, index);
    json_decref(index);
    return r;
}

/* Pick the platform's manifest among those `index` leads to and open it. */
static int open_index(struct opener *o, const json_t *index)
{
    struct customs_vec cands;
    struct platform want;
    const struct candidate *pick = NULL;
    customs_vec_init(&cands, sizeof(struct candidate));
    int r = collect(o, index, 0, &cands);
    if (r == 0 && o->sel.kind == CUSTOMS_SELECT_DIGEST) {
        cands_by_digest(&cands, o->sel.text);
    }
    if (r == 0 && o->layout) {
        r = layout_one_image(o, index, &cands);
    }
    /* Descriptors without a platform: read it from their config. */
    for (size_t i = 0; r == 0 && i < cands.len && cands.len > 1; i++) {
        struct candidate *c = customs_vec_at(&cands, i);
        json_t *m = NULL;
        json_t *cfg = NULL;
        if (c->has_platform) {
            continue;
        }
        r = read_verified_json(o, c->digest, "manifest", &m, NULL);
        const char *cd = customs_json_str(json_object_get(m, "config"), "digest");
        if (r == 0 && cd != NULL && read_verified_json(o, cd, "config", &cfg, NULL) == 0) {
            platform_from_json(&c->platform, cfg);
            c->has_platform = true;
        }
        customs_error_clear(o->err);
        json_decref(cfg);
        json_decref(m);
    }
    if (r == 0 && cands.len == 0) {
        r = customs_error_set(o->err, CUSTOMS_ENOTFOUND, "%s: no image manifest", o->img->path);
    }
    if (r == 0 && o->img->platform != NULL) {
        r = platform_parse(&want, o->img->platform, o->err);
        for (size_t i = 0; r == 0 && i < cands.len && pick == NULL; i++) {
            const struct candidate *c = customs_vec_at(&cands, i);
            if (c->has_platform && platform_match(&want, &c->platform)) {
                pick = c;
            }
        }
        if (r == 0 && pick == NULL && cands.len == 1 &&
            !((const struct candidate *)cands.items)->has_platform) {
            pick = cands.items; /* single manifest of unknown platform: checked by config */
        }
    } else if (r == 0 && cands.len == 1) {
        pick = cands.items;
    } else if (r == 0) {
        platform_parse(&want, "linux/amd64", o->err);
        for (size_t i = 0; i < cands.len && pick == NULL; i++) {
            const struct candidate *c = customs_vec_at(&cands, i);
            if (c->has_platform && platform_match(&want, &c->platform)) {
                pick = c;
            }
        }
    }
    if (r == 0 && pick == NULL) {
        struct customs_buf list;
        int lr = 0;
        customs_buf_init(&list, 4096);
        for (size_t i = 0; i < cands.len; i++) {
            const struct candidate *c = customs_vec_at(&cands, i);
            customs_buf_addf(&list, &lr, "%s%s/%s%s%s", i ? ", " : "", c->platform.os,
                             c->platform.arch, c->platform.variant[0] ? "/" : "",
                             c->platform.variant);
        }
        if (lr == CUSTOMS_ENOMEM) {
            r = customs_error_set(o->err, lr, "out of memory");
        } else {
            r = customs_error_set(o->err, CUSTOMS_ENOTFOUND,
                                  "%s: no image for platform %s; the index has: %s (choose one "
                                  "with --platform)",
                                  o->img->path, o->img->platform ? o->img->platform : "linux/amd64",
                                  list.len ? customs_buf_cstr(&list) : "none");
        }
        customs_buf_release(&list);
    }
    if (r == 0) {
        char want_platform[CUSTOMS_DIGEST_MAX];
        memcpy(want_platform, pick->digest, sizeof(want_platform));
        memcpy(o->img->top_digest, pick->top, sizeof(o->img->top_digest));
        r = open_manifest(o, want_platform);
    }
    customs_vec_release(&cands);
    return r;
}

/* ---- docker-archive ---- */

/* Does a manifest.json entry carry the tag `want` (Docker's expansion of names applied)? */
static bool docker_entry_has_tag(const json_t *entry, const char *want)
{
    const json_t *tags = json_object_get(entry, "RepoTags");
    size_t i;
    const json_t *v;
    json_array_foreach(tags, i, v) {
        if (json_is_string(v) && customs_docker_ref_equal(json_string_value(v), want)) {
            return true;
        }
    }
    return false;
}

/* The first manifest.json entry of entry `i`'s config (the same image tagged twice). */
static size_t docker_first_of_config(const json_t *doc, size_t i)
{
    const char *cfg = customs_json_str(json_array_get(doc, i), "Config");
    for (size_t j = 0; cfg != NULL && j < i; j++) {
        const char *other = customs_json_str(json_array_get(doc, j), "Config");
        if (other != NULL && strcmp(other, cfg) == 0) {
            return j;
        }
    }
    return i;
}

/* The images of a `docker save` archive: one per config, named by its first tag (when no
 * other image has it) or by its place, @N. */
static int docker_held(const json_t *doc, struct customs_vec *held, struct customs_error *err)
{
    char sel[32];
    char digest[CUSTOMS_DIGEST_MAX];
    for (size_t i = 0; i < json_array_size(doc); i++) {
        const json_t *entry = json_array_get(doc, i);
        const char *cfg = customs_json_str(entry, "Config");
        const char *first =
            json_string_value(json_array_get(json_object_get(entry, "RepoTags"), 0));
        struct customs_buf names;
        int br = 0;
        size_t k;
        const json_t *v;
        if (cfg == NULL || docker_first_of_config(doc, i) != i) {
            continue;
        }
        customs_buf_init(&names, 64 * 1024);
        for (size_t j = i; j < json_array_size(doc); j++) {
            const json_t *same = json_array_get(doc, j);
            const char *c = customs_json_str(same, "Config");
            if (c == NULL || strcmp(c, cfg) != 0) {
                continue;
            }
            json_array_foreach(json_object_get(same, "RepoTags"), k, v) {
                if (json_is_string(v)) {
                    customs_buf_addf(&names, &br, "%s%s", names.len ? "," : "",
                                     json_string_value(v));
                }
            }
        }
        for (size_t j = 0; first != NULL && j < json_array_size(doc); j++) {
            const json_t *other = json_array_get(doc, j);
            const char *c = customs_json_str(other, "Config");
            if (c != NULL && strcmp(c, cfg) != 0 && docker_entry_has_tag(other, first)) {
                first = NULL; /* two images with one tag: named by place */
            }
        }
        snprintf(sel, sizeof(sel), "@%zu", i);
        const char *hex = customs_str_has_prefix(cfg, "blobs/sha256/") ? cfg + 13 : cfg;
        snprintf(digest, sizeof(digest), "sha256:%.64s", hex);
        int r = br == CUSTOMS_ENOMEM
                    ? customs_error_set(err, CUSTOMS_ENOMEM, "out of memory")
                    : held_push(held, digest, names.len ? customs_buf_cstr(&names) : NULL,
                                first != NULL ? first : sel, err);
        customs_buf_release(&names);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

/* Which manifest.json entry to read: the one the selector names, or the only image. */
static int docker_pick(const struct opener *o, const json_t *doc, size_t *pick)
{
    struct customs_vec held;
    char what[1024];
    size_t n = json_array_size(doc);
    size_t images = 0;
    size_t matches = 0;
    *pick = 0;
    for (size_t i = 0; i < n; i++) {
        size_t first = docker_first_of_config(doc, i);
        if (o->sel.kind == CUSTOMS_SELECT_NAME &&
            docker_entry_has_tag(json_array_get(doc, i), o->sel.text)) {
            if (matches == 0) {
                *pick = i;
                matches = 1;
            } else if (first != docker_first_of_config(doc, *pick)) {
                matches++; /* another image with this tag */
            }
        }
        images += first == i;
    }
    if (o->sel.kind == CUSTOMS_SELECT_INDEX && o->sel.index < n) {
        *pick = (size_t)o->sel.index;
        return 0;
    }
    if ((o->sel.kind == CUSTOMS_SELECT_NAME && matches == 1) ||
        (o->sel.kind == CUSTOMS_SELECT_NONE && images <= 1)) {
        return 0;
    }
    if (o->sel.kind == CUSTOMS_SELECT_NONE) {
        customs_fmt_clip(what, sizeof(what),
                 "%.300s holds %zu images: name one (or scan each with --all-images)",
                 o->img->path, images);
    } else if (matches == 0) {
        customs_fmt_clip(what, sizeof(what), "%.300s: no image %s '%.100s'; the archive holds",
                 o->img->path, sel_words(&o->sel), o->sel.text);
    } else {
        customs_fmt_clip(what, sizeof(what),
                 "%.300s: %zu images are %s '%.100s' (ambiguous: refused); the archive holds",
                 o->img->path, matches, sel_words(&o->sel), o->sel.text);
    }
    customs_vec_init(&held, sizeof(struct customs_held_image));
    int r = docker_held(doc, &held, o->err);
    if (r == 0) {
        r = held_refuse(o, &held, what);
    }
    customs_image_held_release(&held);
    return r;
}

static int open_docker(struct opener *o)
{
    struct customs_image *img = o->img;
    uint8_t *data = NULL;
    size_t len = 0;
    json_t *doc = NULL;
    json_t *config = NULL;
    size_t i;
    size_t pick = 0;
    const json_t *v;
    int r = read_top_doc(o, "manifest.json", &doc);
    if (r < 0) {
        return r;
    }
    if (json_is_array(doc)) {
        r = docker_pick(o, doc, &pick);
    }
    if (r < 0) {
        json_decref(doc);
        return r;
    }
    const json_t *entry = json_array_get(doc, pick);
    const char *cfg_name = customs_json_str(entry, "Config");
    const json_t *layers = json_object_get(entry, "Layers");
    if (cfg_name == NULL || !json_is_array(layers)) {
        json_decref(doc);
        return customs_error_set(o->err, CUSTOMS_EMALFORMED,
                                 "%s: manifest.json: expected [{\"Config\", \"Layers\", ...}]%s",
                                 img->path, pick > 0 ? " (at the entry selected)" : "");
    }
    const json_t *tags = json_object_get(entry, "RepoTags");
    if (json_is_array(tags) && json_array_size(tags) > 0) {
        struct customs_buf b;
        int tr = 0;
        customs_buf_init(&b, 64 * 1024); /* more tags than fit: the first ones */
        json_array_foreach(tags, i, v) {
            if (json_is_string(v)) {
                customs_buf_addf(&b, &tr, "%s%s", b.len ? "," : "", json_string_value(v));
            }
        }
        img->repo_tags = tr != CUSTOMS_ENOMEM ? customs_buf_detach(&b) : NULL;
        customs_buf_release(&b);
        if (img->repo_tags == NULL) {
            json_decref(doc);
            return customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    r = layers_alloc(o, json_array_size(layers));
    json_array_foreach(layers, i, v) {
        const char *name = json_string_value(v);
        const struct customs_tar_member *m = name != NULL ? member_resolve(o, name) : NULL;
        if (r < 0) {
            break;
        }
        if (m == NULL) {
            r = customs_error_set(o->err, CUSTOMS_ENOTFOUND,
                                  "%s: manifest.json: layer %zu '%.200s' is not in the archive",
                                  img->path, i, name != NULL ? name : "(not a string)");
            break;
        }
        img->layers[i].member = customs_strdup(m->name);
        img->layers[i].size = m->size;
        img->layers[i].has_size = false; /* the member size is what we read; nothing to check */
        if (img->layers[i].member == NULL) {
            r = customs_error_set(o->err, CUSTOMS_ENOMEM, "out of memory");
        }
        if (customs_str_has_prefix(m->name, "blobs/sha256/") && strlen(m->name) == 13 + 64) {
            snprintf(img->layers[i].digest, sizeof(img->layers[i].digest), "sha256:%s",
                     m->name + 13);
            if (!customs_digest_is_valid(img->layers[i].digest)) {
                img->layers[i].digest[0] = '\0';
            }
        }
    }
    if (r == 0) {
        /* The config is named by its member; its digest is the hash of its bytes. */
        r = read_doc(o, cfg_name, &data, &len);
        if (r == 0) {
            struct customs_sha256 sha;
            if (customs_sha256_init(&sha) == 0) {
                customs_sha256_update(&sha, data, len);
                customs_sha256_final(&sha, img->config_digest);
                customs_sha256_release(&sha);
            }
            r = customs_json_parse(&config, cfg_name, data, len, o->limits->max_json_bytes,
                                   o->err);
            customs_free(data);
            if (r < 0) {
                customs_error_prefix(o->err, "%s", img->path);
            }
        }
    }
    json_decref(doc);
    if (r == 0) {
        r = take_config(o, config);
    }
    return r;
}

/* ---- entry point ---- */

static int detect(struct opener *o, const char *target, struct customs_error *err)
{
    struct customs_image *img = o->img;
    struct stat st;
    const char *path = target;
    int forced = -1;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (customs_str_has_prefix(target, prefixes[i])) {
            forced = (int)i;
            path = target + strlen(prefixes[i]);
        }
    }
    img->path = customs_strdup(path);
    if (img->path == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if ((forced == CUSTOMS_SOURCE_OCI || forced == CUSTOMS_SOURCE_DOCKER_ARCHIVE) &&
        stat(img->path, &st) != 0) {
        /* oci:PATH:SEL and docker-archive:PATH:SEL, as skopeo names one image of several: the
         * longest PATH before a ':' that exists (a path that exists is never split) */
        char *colon = NULL;
        for (char *c = img->path + strlen(img->path); c > img->path && colon == NULL; c--) {
            if (c[-1] == ':') {
                c[-1] = '\0';
                if (stat(img->path, &st) == 0) {
                    colon = c - 1;
                } else {
                    c[-1] = ':';
                }
            }
        }
        if (colon != NULL) {
            int r = customs_image_selector_parse(&o->sel, colon + 1,
                                                 forced == CUSTOMS_SOURCE_DOCKER_ARCHIVE, err);
            if (r < 0) {
                customs_error_prefix(err, "%s", img->path);
                return r;
            }
        }
    }
    /* Opened once, without blocking on a FIFO, and checked: every later read goes through
     * this descriptor, so what was checked is what is read. */
    img->fd = open(img->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (img->fd < 0 || fstat(img->fd, &st) != 0) {
        return customs_error_set(err, errno == ENOENT ? CUSTOMS_ENOTFOUND : CUSTOMS_EIO,
                                 "%s: %s", img->path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        struct stat pst;
        /* a symlink or FIFO named index.json still makes a layout: reading it is refused */
        bool layout = fstatat(img->fd, "index.json", &pst, AT_SYMLINK_NOFOLLOW) == 0 &&
                      !S_ISDIR(pst.st_mode);
        if (forced == CUSTOMS_SOURCE_DOCKER_ARCHIVE) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "%s: a docker-archive is a tar file, not a directory",
                                     img->path);
        }
        if (forced == CUSTOMS_SOURCE_OCI && !layout) {
            return customs_error_set(err, CUSTOMS_ENOTFOUND,
                                     "%s: not an OCI image layout (no index.json)", img->path);
        }
        img->kind = (forced == CUSTOMS_SOURCE_DIR || !layout) ? CUSTOMS_SOURCE_DIR
                                                              : CUSTOMS_SOURCE_OCI;
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        return customs_error_set(err, CUSTOMS_EINVAL, "%s: not a file or directory", img->path);
    }
    int fl = fcntl(img->fd, F_GETFL);
    if (fl >= 0) {
        (void)fcntl(img->fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    if (forced == CUSTOMS_SOURCE_DIR) {
        return customs_error_set(err, CUSTOMS_EINVAL, "%s: dir: needs a directory", img->path);
    }
    img->is_tar = true;
    int r = customs_tar_members(&o->members, &o->nmembers, img->fd, img->path,
                                o->limits->max_entries, err);
    if (r == 0) {
        r = members_index(o);
    }
    if (r < 0) {
        return r;
    }
    bool has_manifest = member_find(o, "manifest.json") != NULL;
    bool has_index = member_find(o, "index.json") != NULL;
    if (forced == CUSTOMS_SOURCE_OCI || (forced < 0 && !has_manifest && has_index)) {
        img->kind = CUSTOMS_SOURCE_OCI;
    } else if (has_manifest || forced == CUSTOMS_SOURCE_DOCKER_ARCHIVE) {
        img->kind = CUSTOMS_SOURCE_DOCKER_ARCHIVE;
    } else {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: not an image: a tar without manifest.json or index.json",
                                 img->path);
    }
    return 0;
}

/* The config has the last word on what the image runs on. */
static int opener_finish(struct opener *o, const char *platform, int r)
{
    if (r == 0 && platform != NULL && o->img->config != NULL) {
        struct platform want;
        struct platform have;
        platform_parse(&want, platform, o->err);
        platform_from_json(&have, o->img->config);
        if (have.os[0] != '\0' && !platform_match(&want, &have)) {
            r = customs_error_set(o->err, CUSTOMS_ENOTFOUND,
                                  "%s: the image is %s/%s%s%s, not %s", o->img->path, have.os,
                                  have.arch, have.variant[0] ? "/" : "", have.variant, platform);
        }
        customs_free(o->img->platform);
        o->img->platform = have.os[0] != '\0' ? platform_string(&have) : customs_strdup(platform);
    }
    return r;
}

/* Release the opener; hand the image out on success, free it on failure. */
static int opener_end(struct opener *o, struct customs_image **out, int r)
{
    customs_strmap_release(&o->member_index);
    customs_free(o->members);
    customs_strmap_release(&o->seen);
    customs_arena_release(&o->seen_keys);
    if (r < 0) {
        customs_image_free(o->img);
        return r;
    }
    *out = o->img;
    return 0;
}

/* Start opening `target`: the opener's state, an empty image, the source detected. */
static int opener_begin(struct opener *o, const char *target, struct customs_error *err)
{
    customs_strmap_init(&o->seen);
    customs_strmap_init(&o->member_index);
    customs_arena_init(&o->seen_keys);
    o->img = customs_calloc(1, sizeof(*o->img));
    if (o->img == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    o->img->fd = -1;
    return detect(o, target, err);
}

int customs_image_open(struct customs_image **out, const char *target, const char *platform,
                       const struct customs_limits *limits, struct customs_error *err)
{
    struct opener o = {.limits = limits, .err = err};
    int r;
    *out = NULL;
    r = opener_begin(&o, target, err);
    if (r == 0 && platform != NULL) {
        struct platform p;
        r = platform_parse(&p, platform, err);
        if (r == 0 && (o.img->platform = customs_strdup(platform)) == NULL) {
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    if (r == 0 && o.img->kind == CUSTOMS_SOURCE_OCI) {
        r = open_oci(&o);
    } else if (r == 0 && o.img->kind == CUSTOMS_SOURCE_DOCKER_ARCHIVE) {
        r = open_docker(&o);
    }
    return opener_end(&o, out, opener_finish(&o, platform, r));
}

int customs_image_list(struct customs_vec *out, enum customs_source_kind *kind_out,
                       char **path_out, bool *has_selector, const char *target,
                       const struct customs_limits *limits, struct customs_error *err)
{
    struct opener o = {.limits = limits, .err = err};
    struct customs_image *img = NULL;
    json_t *doc = NULL;
    int r;
    r = opener_begin(&o, target, err);
    if (o.img == NULL) {
        return r;
    }
    *kind_out = o.img->kind;
    if (r == 0 && o.img->kind == CUSTOMS_SOURCE_OCI) {
        r = read_top_doc(&o, "index.json", &doc);
        if (r == 0) {
            r = layout_held(&o, doc, out);
        }
    } else if (r == 0 && o.img->kind == CUSTOMS_SOURCE_DOCKER_ARCHIVE) {
        r = read_top_doc(&o, "manifest.json", &doc);
        if (r == 0) {
            r = docker_held(doc, out, err);
        }
    } else if (r == 0) {
        r = customs_error_set(err, CUSTOMS_EUNSUPPORTED, "%s: a %s holds one image", o.img->path,
                              customs_source_kind_name(o.img->kind));
    }
    json_decref(doc);
    *has_selector = o.sel.kind != CUSTOMS_SELECT_NONE;
    *path_out = NULL;
    if (r == 0 && (*path_out = customs_strdup(o.img->path)) == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    r = opener_end(&o, &img, r);
    customs_image_free(img);
    return r;
}

int customs_image_open_remote(struct customs_image **out, const char *name,
                              const struct customs_image_remote *remote, void *ctx,
                              const uint8_t *top, size_t top_len, const char *top_type,
                              const char *top_digest, const char *platform,
                              const struct customs_limits *limits, struct customs_error *err)
{
    struct opener o = {.limits = limits, .err = err};
    json_t *index = NULL;
    int r = 0;
    *out = NULL;
    customs_strmap_init(&o.seen);
    customs_strmap_init(&o.member_index);
    customs_arena_init(&o.seen_keys);
    o.img = customs_calloc(1, sizeof(*o.img));
    if (o.img == NULL) {
        if (remote->release != NULL) {
            remote->release(ctx);
        }
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    o.img->fd = -1;
    o.img->kind = CUSTOMS_SOURCE_REGISTRY;
    o.img->remote = remote;
    o.img->remote_ctx = ctx;
    o.img->blobs_verified = true;
    o.img->path = customs_strdup(name);
    if (o.img->path == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (r == 0 && platform != NULL) {
        struct platform p;
        r = platform_parse(&p, platform, err);
        if (r == 0 && (o.img->platform = customs_strdup(platform)) == NULL) {
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    if (r == 0 && media_is_index(top_type)) {
        r = customs_json_parse(&index, name, top, top_len, limits->max_json_bytes, err);
        if (r == 0) {
            r = open_index(&o, index);
        }
        if (r == 0 && customs_digest_is_valid(top_digest)) {
            /* the index the reference named is the top, as index.json's entry is for a
             * layout (a signature for it is for each of its images) */
            memcpy(o.img->top_digest, top_digest, strlen(top_digest) + 1);
        }
        json_decref(index);
    } else if (r == 0) {
        r = open_manifest(&o, top_digest);
    }
    return opener_end(&o, out, opener_finish(&o, platform, r));
}

/* A stream over the file `rel` of the image's layout or archive (a member of the tar, or a
 * file under the directory, opened beneath it without following symlinks). */
static int source_open_rel(struct customs_blob_stream *out, const struct customs_image *img,
                           const char *rel, struct customs_error *err)
{
    if (img->is_tar) {
        return customs_blob_stream_member(out, img->fd, img->path, rel, err);
    }
    char *full = under(img->path, rel);
    if (full == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    int r = customs_blob_stream_file(out, img->fd, rel, full, err);
    customs_free(full);
    return r;
}

int customs_image_open_layer(struct customs_blob_stream *out, const struct customs_image *img,
                             size_t i, struct customs_error *err)
{
    char rel[CUSTOMS_MEMBER_MAX];
    if (i >= img->nlayers) {
        return customs_error_set(err, CUSTOMS_EINVAL, "no layer %zu", i);
    }
    const struct customs_image_layer *l = &img->layers[i];
    if (img->remote != NULL) {
        if (!l->has_size) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: layer %zu (%s) has no size in the manifest", img->path,
                                     i, l->digest);
        }
        return img->remote->open_blob(img->remote_ctx, out, l->digest, l->size, err);
    }
    if (l->member != NULL) {
        return customs_blob_stream_member(out, img->fd, img->path, l->member, err);
    }
    int r = blob_rel(rel, sizeof(rel), l->digest, err);
    if (r == 0) {
        r = source_open_rel(out, img, rel, err);
    }
    if (r == CUSTOMS_ENOTFOUND) {
        customs_error_set(err, r, "%s: layer %zu blob %s is missing", img->path, i, l->digest);
    }
    return r;
}

bool customs_image_is_cosign_artifact(const json_t *descriptor)
{
    const json_t *ann = json_object_get(descriptor, "annotations");
    const char *ref = customs_json_str(ann, "org.opencontainers.image.ref.name");
    const char *kind = customs_json_str(ann, "kind");
    if (kind != NULL && customs_str_has_prefix(kind, "dev.cosignproject.cosign/") &&
        strcmp(kind, "dev.cosignproject.cosign/image") != 0 &&
        strcmp(kind, "dev.cosignproject.cosign/imageIndex") != 0) {
        return true;
    }
    /* "sha256-<64 hex>.sig" (or .att, .sbom): the tag cosign derives from a digest */
    if (ref == NULL || strncmp(ref, "sha256-", 7) != 0 || strlen(ref) < 7 + 64 + 4) {
        return false;
    }
    for (size_t i = 7; i < 7 + 64; i++) {
        if (!((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f'))) {
            return false;
        }
    }
    const char *ext = ref + 7 + 64;
    return strcmp(ext, ".sig") == 0 || strcmp(ext, ".att") == 0 || strcmp(ext, ".sbom") == 0;
}

int customs_image_read_blob(uint8_t **out, size_t *len, const struct customs_image *img,
                            const char *digest, uint64_t max, struct customs_error *err)
{
    char rel[CUSTOMS_MEMBER_MAX];
    char got[CUSTOMS_DIGEST_MAX];
    struct customs_blob_stream s;
    struct customs_sha256 sha;
    *out = NULL;
    *len = 0;
    if (img->kind != CUSTOMS_SOURCE_OCI) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "%s: not an OCI image layout",
                                 img->path);
    }
    int r = blob_rel(rel, sizeof(rel), digest, err);
    if (r == 0) {
        r = source_open_rel(&s, img, rel, err);
    }
    if (r < 0) {
        return r;
    }
    r = customs_blob_read_all(out, len, &s, rel, max, err);
    s.close(s.ctx);
    if (r == 0 && customs_sha256_init(&sha) < 0) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (r == 0) {
        customs_sha256_update(&sha, *out, *len);
        customs_sha256_final(&sha, got);
        customs_sha256_release(&sha);
        if (strcmp(got, digest) != 0) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                  "%s: blob %s: digest mismatch: the blob's content hashes to %s",
                                  img->path, digest, got);
        }
    }
    if (r < 0) {
        customs_free(*out);
        *out = NULL;
        *len = 0;
    }
    return r;
}

int customs_image_read_index(json_t **out, const struct customs_image *img,
                             const struct customs_limits *limits, struct customs_error *err)
{
    struct customs_blob_stream s;
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    if (img->kind != CUSTOMS_SOURCE_OCI) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "%s: not an OCI image layout",
                                 img->path);
    }
    int r = source_open_rel(&s, img, "index.json", err);
    if (r < 0) {
        return r;
    }
    r = customs_blob_read_all(&data, &len, &s, "index.json", limits->max_json_bytes, err);
    s.close(s.ctx);
    if (r == 0) {
        r = customs_json_parse(out, "index.json", data, len, limits->max_json_bytes, err);
    }
    customs_free(data);
    if (r < 0) {
        customs_error_prefix(err, "%s", img->path);
    }
    return r;
}
