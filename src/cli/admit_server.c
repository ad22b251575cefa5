/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The webhook's HTTPS server (libmicrohttpd, TLS 1.2+): a thread pool answering requests
 * event-driven, so a slow client holds only its own connection; a watchdog that closes a
 * connection whose headers or body take longer than their timeouts (slowloris); SIGHUP swaps
 * in a new configuration while requests in flight finish on the old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/admit_cli.h"
#include "cli/cli.h"

#define ADMIT_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define ADMIT_WATCHDOG_MS 100

enum conn_phase { PHASE_HEADERS, PHASE_BODY, PHASE_BUSY };

/* One connection, for the watchdog: where it is and since when. */
struct conn {
    struct conn *prev;
    struct conn *next;
    int fd;
    enum conn_phase phase;
    struct timespec since;
    bool cut; /* the watchdog shut it down */
};

struct server {
    const struct admit_args *args;
    struct MHD_Daemon *daemon;
    pthread_mutex_t cfg_lock;
    struct admit_config *cfg;
    pthread_mutex_t log_lock;
    FILE *log;
    pthread_mutex_t conn_lock;
    struct conn *conns;
    struct admit_stores stores; /* --store */
    atomic_bool ready;
    atomic_bool stop;
    atomic_ulong cut_count;
};

enum route { ROUTE_VALIDATE, ROUTE_MUTATE, ROUTE_HEALTHZ, ROUTE_READYZ, ROUTE_NOT_FOUND };

/* One request in flight. */
struct req {
    enum route route;
    bool method_ok;
    char tier[64];
    bool has_tier;
    bool too_big;
    char *body;
    size_t len;
    size_t cap;
    struct admit_config *cfg;
};

static void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_msg(const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    cli_say("customs admit: %s", line); /* it can carry what a request held */
}

static double since_s(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* ---- configuration, swapped on SIGHUP ---- */

static struct admit_config *cfg_acquire(struct server *s)
{
    pthread_mutex_lock(&s->cfg_lock);
    struct admit_config *c = s->cfg;
    c->refs++;
    pthread_mutex_unlock(&s->cfg_lock);
    return c;
}

static void cfg_release(struct server *s, struct admit_config *c)
{
    pthread_mutex_lock(&s->cfg_lock);
    bool last = --c->refs == 0;
    pthread_mutex_unlock(&s->cfg_lock);
    if (last) {
        admit_config_free(c);
    }
}

static int log_open(struct server *s)
{
    if (s->args->audit_log == NULL) {
        return 0;
    }
    FILE *f = cli_append_open(s->args->audit_log);
    if (f == NULL) {
        log_msg("cannot open the audit log %s: %s", s->args->audit_log, strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&s->log_lock);
    FILE *old = s->log;
    s->log = f;
    pthread_mutex_unlock(&s->log_lock);
    if (old != NULL) {
        fclose(old);
    }
    return 0;
}

/* Say whether the store answers (at start, on SIGHUP): the webhook serves either way, denying
 * what needs the store until it does. */
static void store_probe(struct server *s, const char *what)
{
    struct customs_error err = {0};
    struct admit_store h;
    int rc = admit_stores_get(&h, &s->stores, &err);
    if (rc == 0) {
        rc = customs_store_check(h.s, &err);
        if (rc == 0) {
            log_msg("verdict store %s: %s", what, customs_store_name(h.s));
        }
        admit_stores_put(&s->stores, &h, rc != 0);
    }
    if (rc != 0) {
        log_msg("the verdict store does not answer (images are denied, /readyz is not ready "
                "until it does): %s", err.message);
    }
}

static void reload(struct server *s)
{
    struct admit_config *c = admit_config_load(s->args);
    if (c == NULL) {
        log_msg("reload failed: keeping the configuration in force");
    } else {
        pthread_mutex_lock(&s->cfg_lock);
        struct admit_config *old = s->cfg;
        s->cfg = c;
        pthread_mutex_unlock(&s->cfg_lock);
        cfg_release(s, old);
        log_msg("configuration reloaded");
    }
    if (log_open(s) != 0) {
        log_msg("keeping the audit log open as it was");
    }
    if (s->args->store != NULL) {
        admit_stores_reopen(&s->stores);
        store_probe(s, "reopened");
    }
}

/* ---- connections and the watchdog ---- */

static void conn_set_phase(struct server *s, struct MHD_Connection *c, enum conn_phase phase)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *k = ci != NULL ? ci->socket_context : NULL;
    if (k == NULL) {
        return;
    }
    pthread_mutex_lock(&s->conn_lock);
    k->phase = phase;
    clock_gettime(CLOCK_MONOTONIC, &k->since);
    pthread_mutex_unlock(&s->conn_lock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn *k = calloc(1, sizeof(*k));
        if (k == NULL || ci == NULL) {
            free(k);
            return;
        }
        k->fd = ci->connect_fd;
        k->phase = PHASE_HEADERS;
        clock_gettime(CLOCK_MONOTONIC, &k->since);
        pthread_mutex_lock(&s->conn_lock);
        k->next = s->conns;
        if (s->conns != NULL) {
            s->conns->prev = k;
        }
        s->conns = k;
        pthread_mutex_unlock(&s->conn_lock);
        *socket_context = k;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
        /* MHD closes the socket after this returns: under the lock the watchdog can no longer
         * shut down a descriptor that a new connection might reuse */
        struct conn *k = *socket_context;
        pthread_mutex_lock(&s->conn_lock);
        if (k->prev != NULL) {
            k->prev->next = k->next;
        } else {
            s->conns = k->next;
        }
        if (k->next != NULL) {
            k->next->prev = k->prev;
        }
        pthread_mutex_unlock(&s->conn_lock);
        free(k);
        *socket_context = NULL;
    }
}

/* Close connections over their header or body time: shutdown() makes MHD see the end of the
 * stream and release the connection in its own thread. */
static void *watchdog(void *arg)
{
    struct server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct timespec nap = {0, ADMIT_WATCHDOG_MS * 1000000L};
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&s->conn_lock);
        for (struct conn *k = s->conns; k != NULL; k = k->next) {
            double limit = k->phase == PHASE_HEADERS ? s->args->header_timeout
                           : k->phase == PHASE_BODY  ? s->args->body_timeout
                                                     : 0;
            if (limit > 0 && !k->cut && since_s(&k->since) > limit) {
                shutdown(k->fd, SHUT_RDWR);
                k->cut = true;
                atomic_fetch_add(&s->cut_count, 1);
            }
        }
        pthread_mutex_unlock(&s->conn_lock);
    }
    return NULL;
}

/* ---- requests ---- */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
                               char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    json_t *j = json_pack("{s:s}", "error", msg);
    size_t len = 0;
    char *body = j != NULL ? admit_json_line(j, &len) : NULL;
    json_decref(j);
    return body != NULL ? respond(c, status, "application/json", body, len) : MHD_NO;
}

/* "/validate" or "/mutate", optionally followed by "/<tier>". */
static bool route_review(struct req *q, const char *url, const char *path, enum route route)
{
    size_t plen = strlen(path);
    if (strncmp(url, path, plen) != 0 || (url[plen] != '\0' && url[plen] != '/')) {
        return false;
    }
    if (url[plen] == '/') {
        const char *t = url + plen + 1;
        size_t n = strlen(t);
        if (n == 0 || n >= sizeof(q->tier) ||
            strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789-.") != n) {
            return true; /* not found */
        }
        memcpy(q->tier, t, n + 1);
        q->has_tier = true;
    }
    q->route = route;
    return true;
}

static void route_request(struct req *q, const char *url, const char *method)
{
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
               strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    q->route = ROUTE_NOT_FOUND;
    if (route_review(q, url, "/validate", ROUTE_VALIDATE) ||
        route_review(q, url, "/mutate", ROUTE_MUTATE)) {
        q->method_ok = post;
    } else if (strcmp(url, "/healthz") == 0 || strcmp(url, "/readyz") == 0) {
        q->route = url[1] == 'h' ? ROUTE_HEALTHZ : ROUTE_READYZ;
        q->method_ok = get;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_cls)
{
    struct server *s = cls;
    struct req *q = *req_cls;
    if (q == NULL) {
        q = calloc(1, sizeof(*q));
        if (q == NULL) {
            return MHD_NO;
        }
        *req_cls = q;
        route_request(q, url, method);
        conn_set_phase(s, c, PHASE_BODY);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > s->args->max_body) {
            q->too_big = true;
            return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
                                 "request body is larger than --max-body");
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (q->too_big || !q->method_ok || q->route == ROUTE_NOT_FOUND) {
            return MHD_YES;
        }
        if (n > s->args->max_body - q->len) {
            /* no (or a false) Content-Length: stop reading and close */
            q->too_big = true;
            return MHD_NO;
        }
        if (q->len + n > q->cap) {
            size_t cap = q->cap ? q->cap : 16384;
            while (cap < q->len + n) {
                cap *= 2;
            }
            char *nb = realloc(q->body, cap);
            if (nb == NULL) {
                return MHD_NO;
            }
            q->body = nb;
            q->cap = cap;
        }
        memcpy(q->body + q->len, upload, n);
        q->len += n;
        return MHD_YES;
    }
    if (q->too_big) {
        return MHD_YES; /* answered at the first call */
    }
    conn_set_phase(s, c, PHASE_BUSY);
    if (q->route == ROUTE_NOT_FOUND) {
        return respond_error(c, MHD_HTTP_NOT_FOUND, "no such endpoint");
    }
    if (!q->method_ok) {
        return respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed here");
    }
    if (q->route == ROUTE_HEALTHZ || q->route == ROUTE_READYZ) {
        bool ok = q->route == ROUTE_HEALTHZ || atomic_load(&s->ready);
        struct customs_error err = {0};
        char line[CUSTOMS_ERROR_MESSAGE_MAX + 32] = "not ready\n";
        if (ok && q->route == ROUTE_READYZ && s->args->store != NULL &&
            admit_stores_check(&s->stores, &err) != 0) {
            ok = false;
            snprintf(line, sizeof(line), "not ready: %s\n", err.message);
        }
        char *body = strdup(ok ? "ok\n" : line);
        if (body == NULL) {
            return MHD_NO;
        }
        return respond(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body,
                       strlen(body));
    }
    q->cfg = cfg_acquire(s);
    struct admit_answer a;
    admit_answer(&a, q->cfg, s->args->store != NULL ? &s->stores : NULL,
                 q->route == ROUTE_MUTATE, q->has_tier ? q->tier : NULL, q->body, q->len,
                 time(NULL), s->args->audit_log != NULL);
    if (a.log != NULL) {
        pthread_mutex_lock(&s->log_lock);
        if (s->log != NULL) {
            fputs(a.log, s->log);
            fflush(s->log);
        }
        pthread_mutex_unlock(&s->log_lock);
    }
    enum MHD_Result ret = respond(c, (unsigned)a.status, "application/json", a.body, a.len);
    a.body = NULL;
    admit_answer_release(&a);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *s = cls;
    struct req *q = *req_cls;
    if (q != NULL) {
        if (q->cfg != NULL) {
            cfg_release(s, q->cfg);
        }
        free(q->body);
        free(q);
        *req_cls = NULL;
    }
    conn_set_phase(s, c, PHASE_HEADERS);
}

/* ---- start and stop ---- */

char *cli_read_pem(const char *path, const char *what)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct customs_error err = {0};
    if (customs_read_file(path, CLI_MAX_PEM, &data, &len, &err) != 0) {
        cli_error("%s: %s", what, err.message);
        return NULL;
    }
    char *s = strdup((const char *)data);
    customs_free(data);
    if (s == NULL) {
        cli_error("out of memory");
    }
    return s;
}

int cli_parse_listen(struct sockaddr_storage *ss, const char *listen, bool *v6)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || strlen(listen) >= sizeof(host)) {
        return -1;
    }
    size_t hl = (size_t)(colon - listen);
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || res == NULL) {
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

int admit_serve(const struct admit_args *a)
{
    struct server s = {.args = a};
    struct sockaddr_storage addr;
    bool v6 = false;
    pthread_t wd;
    sigset_t set;
    int rc = CLI_EXIT_ERROR;
    if (cli_parse_listen(&addr, a->listen, &v6) != 0) {
        cli_error("--listen: '%s' is not ADDRESS:PORT (numeric, e.g. 0.0.0.0:8443)", a->listen);
        return CLI_EXIT_ERROR;
    }
    char *cert = cli_read_pem(a->tls_cert, "--tls-cert");
    char *key = cert != NULL ? cli_read_pem(a->tls_key, "--tls-key") : NULL;
    if (key == NULL) {
        free(cert);
        return CLI_EXIT_ERROR;
    }
    pthread_mutex_init(&s.cfg_lock, NULL);
    pthread_mutex_init(&s.log_lock, NULL);
    pthread_mutex_init(&s.conn_lock, NULL);
    admit_stores_init(&s.stores, a->store);
    s.cfg = admit_config_load(a);
    if (s.cfg == NULL || log_open(&s) != 0) {
        goto out;
    }
    if (a->store != NULL) {
        store_probe(&s, "open");
    }
    /* signals go to this thread's sigwait only: every thread started below inherits the mask */
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     (v6 ? MHD_USE_IPv6 : 0);
    s.daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_HTTPS_PRIORITIES, ADMIT_TLS_PRIORITIES, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)a->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)a->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)(a->header_timeout + a->body_timeout),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned int)1024, MHD_OPTION_NOTIFY_CONNECTION, on_connection, &s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s, MHD_OPTION_END);
    if (s.daemon == NULL) {
        cli_error("cannot serve HTTPS on %s (address in use, or the certificate and key do not "
                  "load)", a->listen);
        goto out;
    }
    if (pthread_create(&wd, NULL, watchdog, &s) != 0) {
        cli_error("cannot start the watchdog thread");
        goto out_stop;
    }
    atomic_store(&s.ready, true);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s.daemon, MHD_DAEMON_INFO_BIND_PORT);
    char where[300];
    snprintf(where, sizeof(where), "%.*s:%u", (int)(strrchr(a->listen, ':') - a->listen),
             a->listen, di != NULL ? (unsigned)di->port : 0);
    log_msg("listening on https://%s (Pod Security %s:%s%s)", where,
            customs_pss_level_name(a->opt.pss.level), a->pss_version,
            a->opt.audit_only ? ", audit only" : "");
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) {
            continue;
        }
        if (sig == SIGHUP) {
            reload(&s);
            continue;
        }
        log_msg("stopping (signal %d); %lu slow connections were closed", sig,
                (unsigned long)atomic_load(&s.cut_count));
        break;
    }
    atomic_store(&s.ready, false);
    atomic_store(&s.stop, true);
    pthread_join(wd, NULL);
    rc = CLI_EXIT_CLEAN;
out_stop:
    MHD_stop_daemon(s.daemon);
out:
    if (s.cfg != NULL) {
        cfg_release(&s, s.cfg);
    }
    if (s.log != NULL) {
        fclose(s.log);
    }
    /* the key never stays in freed memory */
    explicit_bzero(key, strlen(key));
    free(key);
    free(cert);
    admit_stores_release(&s.stores);
    pthread_mutex_destroy(&s.conn_lock);
    pthread_mutex_destroy(&s.log_lock);
    pthread_mutex_destroy(&s.cfg_lock);
    return rc;
}
