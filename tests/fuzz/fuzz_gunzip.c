/* SPDX-License-Identifier: Apache-2.0 */
/* Differential fuzzing of the gzip engines: ISA-L must agree with zlib, the reference, on every
 * input (the same verdict, the same bytes), however the input is chunked. Traps on a
 * disagreement; without ISA-L built in it only runs zlib. */
#include <stdint.h>
#include <string.h>

#include "../unit/image/gunzip_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct drive_result z, i;
    size_t chunk = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
    drive(CUSTOMS_GUNZIP_ZLIB, data, size, chunk, 4096, &z);
    if (size > (1u << 20) || !customs_gunzip_available(CUSTOMS_GUNZIP_ISAL)) {
        return 0;
    }
    drive(CUSTOMS_GUNZIP_ISAL, data, size, chunk, 4096, &i);
    if (z.code != i.code || z.out_len != i.out_len || strcmp(z.digest, i.digest) != 0) {
        if (z.code != 0 && z.code == i.code) {
            return 0; /* both refuse it; they may have inflated different amounts first */
        }
        __builtin_trap();
    }
    return 0;
}
