/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the Alpine secdb JSON importer (keep-going) into an in-memory database, and
 * finish the build (indexes, meta). */
#include <stdint.h>

#include "fuzz_check.h"
#include "vulndb/vulndb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_counts c = {0};
    struct customs_vulndb_import_options opt = {0};
    struct customs_error err;
    opt.keep_going = true;
    if (customs_vulndb_writer_open(&w, ":memory:", &err) != 0) {
        return 0;
    }
    fuzz_result(customs_vulndb_import_alpine(w, "fuzz.json", data, size, &opt, &c, &err));
    fuzz_result(customs_vulndb_writer_finish(w, &err));
    customs_vulndb_writer_close(w);
    return 0;
}
