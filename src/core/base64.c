/* SPDX-License-Identifier: Apache-2.0 */
/* Standard base64 (RFC 4648 §4), decoded strictly: the alphabet only, padding only at the end,
 * no bits left over in the last group. */
#include "core/core.h"

#include <string.h>

#include "core/banned.h"

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    return c == '/' ? 63 : -1;
}

long customs_base64_decode(uint8_t *out, size_t outsz, const char *in, size_t n, bool need_pad)
{
    size_t o = 0;
    if (n == 0 || (need_pad && n % 4 != 0) || n % 4 == 1) {
        return -1;
    }
    for (size_t i = 0; i < n; i += 4) {
        int v[4] = {0, 0, 0, 0};
        int pad = 0;
        for (size_t j = 0; j < 4; j++) {
            if (i + j >= n) {
                pad++; /* a missing '=' (need_pad false): the same as one given */
                continue;
            }
            char c = in[i + j];
            if (c == '=' && i + 4 >= n && j >= 2) {
                pad++;
                continue;
            }
            if (pad > 0 || (v[j] = b64_value(c)) < 0) {
                return -1;
            }
        }
        uint32_t w = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) |
                     (uint32_t)v[3];
        if ((pad == 2 && (w & 0xffff) != 0) || (pad == 1 && (w & 0xff) != 0) ||
            o + 3 - (size_t)pad > outsz) {
            return -1;
        }
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2) {
            out[o++] = (uint8_t)(w >> 8);
        }
        if (pad < 1) {
            out[o++] = (uint8_t)w;
        }
    }
    return (long)o;
}
