/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz a whole scan of a docker-archive or OCI tar: outer tar, manifest.json / index.json,
 * manifests, configs, layers and every analyzer behind them. The input lives in a memfd, so
 * nothing is written to disk. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "customs/report.h"
#include "customs/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char target[64];
    struct customs_scan_options opts;
    struct customs_report *report = NULL;
    struct customs_error err;
    int fd = memfd_create("customs-fuzz", MFD_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    customs_scan_options_default(&opts);
    opts.threads = 1;
    opts.limits.max_total_bytes = 64u << 20;
    opts.limits.ratio_grace_bytes = 1u << 20;
    opts.limits.max_entries = 10000;
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    if (customs_scan(&report, target, &opts, &err) == 0) {
        FILE *null = fopen("/dev/null", "w");
        if (null != NULL) {
            fuzz_result(customs_report_write(report, CUSTOMS_FORMAT_JSON, null, &err));
            fclose(null);
        }
        customs_report_free(report);
    }
    close(fd);
    return 0;
}
