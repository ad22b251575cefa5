/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes every version comparator: the input is split at the first newline into a and b.
 * Each comparator must be antisymmetric (sign(cmp(a, b)) == -sign(cmp(b, a))) and reflexive;
 * npm ranges are tried with b as a range under every option combination.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

static int fuzz_sign(int v)
{
    return (v > 0) - (v < 0);
}

static void fuzz_check(int (*cmp)(const char *, const char *), const char *a, const char *b)
{
    if (fuzz_sign(cmp(a, b)) != -fuzz_sign(cmp(b, a)) || cmp(a, a) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t alen = nl != NULL ? (size_t)(nl - data) : size;
    size_t blen = nl != NULL ? size - alen - 1 : 0;
    char *a = malloc(alen + 1);
    char *b = malloc(blen + 1);
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        return 0;
    }
    memcpy(a, data, alen);
    a[alen] = '\0';
    if (blen > 0) {
        memcpy(b, nl + 1, blen);
    }
    b[blen] = '\0';

    fuzz_check(customs_version_cmp_dpkg, a, b);
    fuzz_check(customs_version_cmp_apk, a, b);
    fuzz_check(customs_version_cmp_rpm, a, b);
    fuzz_check(customs_version_rpmvercmp, a, b);
    fuzz_check(customs_version_cmp_npm, a, b);
    fuzz_check(customs_version_cmp_pep440, a, b);
    fuzz_check(customs_version_cmp_maven, a, b);
    fuzz_check(customs_version_cmp_go, a, b);
    fuzz_check(customs_version_cmp_rubygems, a, b);

    for (int s = CUSTOMS_VERSION_UNKNOWN; s <= CUSTOMS_VERSION_RUBYGEMS; s++) {
        (void)customs_version_valid((enum customs_version_scheme)s, a);
    }
    (void)customs_version_apk_fuzzy_match(a, b);
    for (uint32_t flags = 0; flags < 4; flags++) {
        (void)customs_version_npm_satisfies_opts(a, b, flags);
        (void)customs_version_npm_outside(a, b, '>', flags);
        (void)customs_version_npm_outside(a, b, '<', flags);
        (void)customs_version_npm_cmp_opts(a, b, flags);
    }
    free(a);
    free(b);
    return 0;
}
