/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the readers of the user's decisions: the same bytes as an ignore file and as an OpenVEX
 * document (vendors publish VEX), read from a memfd so nothing touches the disk. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "policy/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    struct customs_filter f;
    struct customs_error err;
    int fd = memfd_create("customs-fuzz-policy", MFD_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        customs_filter_init(&f);
        customs_filter_load_ignorefile(&f, path, &err);
        customs_filter_load_vex(&f, path, &err);
        customs_filter_release(&f);
    }
    close(fd);
    return 0;
}
