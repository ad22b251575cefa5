/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registry credentials for the library: the auth files found from the environment (containers'
 * auth.json, Docker's config.json) read when a registry first asks, and Docker credential
 * helpers run as `docker-credential-NAME get` without a shell, the server on stdin, the answer
 * read from stdout within a time and size limit. A credential never reaches a message.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/core.h"
#include "registry/registry.h"

#define AUTH_FILE_MAX ((size_t)1 << 20)
#define HELPER_OUT_MAX ((size_t)64 << 10)
#define HELPER_TIMEOUT_MS 30000

extern char **environ;

void cli_registry_auth_init(struct cli_registry_auth *a, const char *authfile)
{
    const char *env_file = getenv("REGISTRY_AUTH_FILE");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    const char *docker = getenv("DOCKER_CONFIG");
    const char *home = getenv("HOME");
    memset(a, 0, sizeof(*a));
    if (authfile == NULL && env_file != NULL && env_file[0] != '\0') {
        authfile = env_file;
    }
    if (authfile != NULL) {
        /* a file the user named is the only one, as for podman and skopeo */
        snprintf(a->paths[a->npaths++], sizeof(a->paths[0]), "%s", authfile);
        return;
    }
    if (runtime != NULL && runtime[0] == '/') {
        snprintf(a->paths[a->npaths++], sizeof(a->paths[0]), "%s/containers/auth.json", runtime);
    }
    if (docker != NULL && docker[0] != '\0') {
        snprintf(a->paths[a->npaths++], sizeof(a->paths[0]), "%s/config.json", docker);
    } else if (home != NULL && home[0] == '/') {
        snprintf(a->paths[a->npaths++], sizeof(a->paths[0]), "%s/.docker/config.json", home);
    }
}

/* The auth file at `path` into a buffer of AUTH_FILE_MAX + 1 bytes: 1 read, 0 absent, or a
 * negative code with `err` set (unreadable, not a regular file, too large). */
static int auth_file_read(uint8_t *buf, size_t *len, const char *path, struct customs_error *err)
{
    struct stat st;
    int fd = customs_file_open_read(path); /* a FIFO there is refused, not waited on */
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return 0;
        }
        if (errno == EINVAL || errno == EISDIR) {
            return customs_error_set(err, CUSTOMS_EIO,
                                     "registry credentials: %s: not a regular file", path);
        }
        return customs_error_set(err, CUSTOMS_EIO, "registry credentials: %s: %s", path,
                                 strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return customs_error_set(err, CUSTOMS_EIO, "registry credentials: %s: not a regular file",
                                 path);
    }
    size_t n = 0;
    for (;;) {
        ssize_t got = read(fd, buf + n, AUTH_FILE_MAX + 1 - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            int e = errno;
            close(fd);
            return customs_error_set(err, CUSTOMS_EIO, "registry credentials: %s: %s", path,
                                     strerror(e));
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
        if (n > AUTH_FILE_MAX) {
            close(fd);
            return customs_error_set(err, CUSTOMS_ELIMIT,
                                     "registry credentials: %s: larger than %zu bytes", path,
                                     AUTH_FILE_MAX);
        }
    }
    close(fd);
    *len = n;
    return 1;
}

static uint64_t helper_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Write all of `s` to `fd` with SIGPIPE blocked in this thread (a helper that exits without
 * reading its stdin must not kill customs); a pending SIGPIPE is consumed. */
static void helper_feed(int fd, const char *s)
{
    sigset_t pipe_set;
    sigset_t old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        s += w;
        n -= (size_t)w;
    }
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Run `docker-credential-HELPER get` (found on PATH) for a->server and parse its answer into
 * `out`. A helper that says it has nothing ("credentials not found") gives NONE. Its stderr
 * is discarded and its stdout never printed: either may hold a secret.
 */
static int helper_run(struct customs_registry_auth *out, const struct customs_registry_auth *a,
                      struct customs_error *err)
{
    char prog[CUSTOMS_REGISTRY_HELPER_MAX + 32];
    int in[2] = {-1, -1};
    int outp[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    pid_t pid = -1;
    int status = 0;
    int r = 0;
    uint8_t *buf = NULL;
    size_t n = 0;
    bool overflow = false;
    bool timed_out = false;
    snprintf(prog, sizeof(prog), "docker-credential-%s", a->helper);
    memset(out, 0, sizeof(*out));
    buf = customs_malloc(HELPER_OUT_MAX + 1);
    if (buf == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
        r = customs_error_set(err, CUSTOMS_EIO, "%s: pipe: %s", prog, strerror(errno));
        goto out;
    }
    char *const argv[] = {prog, "get", NULL};
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int se = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(outp[1]);
    in[0] = outp[1] = -1;
    if (se != 0) {
        pid = -1;
        r = customs_error_set(err, CUSTOMS_EIO,
                              "registry credentials for %s: the credential helper %s cannot be "
                              "run: %s",
                              a->server, prog, strerror(se));
        goto out;
    }
    helper_feed(in[1], a->server);
    close(in[1]);
    in[1] = -1;
    uint64_t deadline = helper_now_ms() + HELPER_TIMEOUT_MS;
    for (;;) {
        uint64_t now = helper_now_ms();
        if (now >= deadline) {
            timed_out = true;
            break;
        }
        struct pollfd p = {.fd = outp[0], .events = POLLIN};
        int pr = poll(&p, 1, (int)(deadline - now));
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr <= 0) {
            timed_out = pr == 0;
            break;
        }
        ssize_t got = read(outp[0], buf + n, HELPER_OUT_MAX + 1 - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        n += (size_t)got;
        if (n > HELPER_OUT_MAX) {
            overflow = true;
            break;
        }
    }
    if (timed_out || overflow) {
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
    if (timed_out) {
        r = customs_error_set(err, CUSTOMS_ETIMEOUT,
                              "registry credentials for %s: %s get did not answer within %d s",
                              a->server, prog, HELPER_TIMEOUT_MS / 1000);
    } else if (overflow) {
        r = customs_error_set(err, CUSTOMS_ELIMIT,
                              "registry credentials for %s: %s get wrote more than %zu bytes",
                              a->server, prog, HELPER_OUT_MAX);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        buf[n] = '\0';
        if (strstr((const char *)buf, "credentials not found") == NULL) {
            r = customs_error_set(err, CUSTOMS_EIO,
                                  "registry credentials for %s: %s get failed (%s %d)", a->server,
                                  prog, WIFEXITED(status) ? "exit status" : "signal",
                                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        }
    } else {
        r = customs_registry_auth_helper_parse(out, a->helper, buf, n, err);
        if (r < 0) {
            customs_error_prefix(err, "registry credentials for %s", a->server);
        }
    }
out:
    if (pid > 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0) {
            close(in[i]);
        }
        if (outp[i] >= 0) {
            close(outp[i]);
        }
    }
    explicit_bzero(buf, HELPER_OUT_MAX + 1);
    customs_free(buf);
    return r;
}

int cli_registry_credentials(char user[CUSTOMS_REGISTRY_USER_MAX],
                             char secret[CUSTOMS_REGISTRY_SECRET_MAX], const char *host,
                             const char *repo, void *payload, struct customs_error *err)
{
    const struct cli_registry_auth *a = payload;
    struct customs_registry_auth found;
    struct customs_registry_auth answer;
    uint8_t *buf = NULL;
    int r = 0;
    memset(&found, 0, sizeof(found));
    memset(&answer, 0, sizeof(answer));
    buf = customs_malloc(AUTH_FILE_MAX + 1);
    if (buf == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < a->npaths && r == 0 && found.kind == CUSTOMS_REGISTRY_AUTH_NONE;
         i++) {
        size_t len = 0;
        r = auth_file_read(buf, &len, a->paths[i], err);
        if (r > 0) {
            r = customs_registry_auth_lookup(&found, a->paths[i], buf, len, host, repo,
                                             err);
            explicit_bzero(buf, len);
        }
    }
    const struct customs_registry_auth *use = &found;
    if (r == 0 && found.kind == CUSTOMS_REGISTRY_AUTH_HELPER) {
        r = helper_run(&answer, &found, err);
        use = &answer;
    }
    if (r == 0 && use->kind != CUSTOMS_REGISTRY_AUTH_NONE &&
        use->kind != CUSTOMS_REGISTRY_AUTH_HELPER) {
        memcpy(user, use->user, CUSTOMS_REGISTRY_USER_MAX);
        memcpy(secret, use->secret, CUSTOMS_REGISTRY_SECRET_MAX);
        r = 1;
    }
    customs_registry_auth_clear(&found);
    customs_registry_auth_clear(&answer);
    customs_free(buf);
    return r;
}
