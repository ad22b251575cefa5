/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CLI_GATE_CLI_H
#define CUSTOMS_CLI_GATE_CLI_H

/* `customs registry`: the arguments (cmd_registry.c) and the server (gate_server.c). */

#include <stdbool.h>

#include "customs/registry.h"
#include "customs/scan.h"

struct gate_args {
    const char *listen;
    const char *tls_cert;     /* with tls_key; NULL only with plain_http */
    const char *tls_key;
    bool plain_http;          /* --plain-http: no TLS (loopback tests, or behind a TLS proxy) */
    const char *upstream;     /* http(s)://host[:port] */
    const char *upstream_ca;  /* a CA bundle for the upstream's TLS, or NULL: the system's */
    const char *policy;
    const char *store;
    const char *cache_root;   /* --cache-dir DIR, or NULL: the user's cache directory */
    bool no_cache;            /* --no-cache: every scan reads every layer */
    struct customs_scan_options scan; /* how pushed images are scanned (--db and the rest) */
    struct customs_registry_options registry; /* how those scans reach the upstream */
    unsigned threads;         /* scans at once... and the connection limit */
    unsigned max_connections;
    unsigned connect_timeout; /* seconds to connect to the upstream */
    unsigned stall_timeout;   /* seconds without a byte from the upstream */
    unsigned idle_timeout;    /* seconds a client connection may sit idle */
};

/** Run the gate until SIGTERM/SIGINT. @return an exit code */
int gate_serve(const struct gate_args *a);

#endif /* CUSTOMS_CLI_GATE_CLI_H */
