/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the schema check of untrusted SQLite files (src/formats/sqlite.c): the input is a
 * database image, opened in memory read-only and hardened as every untrusted file is, then
 * checked against the vulnerability database's schema (exactly) and rpm's Packages table; a
 * database that passes has its rows read with the row type check. */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/sqlite.h"
#include "vulndb/vulndb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, const char *schema, bool exact)
{
    struct customs_sqlite_guard guard;
    struct customs_error err = {0};
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    unsigned char *copy = sqlite3_malloc64(size > 0 ? size : 1);
    if (copy == NULL || sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_free(copy);
        sqlite3_close(db);
        return;
    }
    memcpy(copy, data, size);
    customs_sqlite_harden(db, &guard, 2000, 1 << 20);
    guard.max_calls = 10000;
    if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)size, (sqlite3_int64)size,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) ==
            SQLITE_OK &&
        customs_sqlite_check_schema(db, &guard, "fuzz.db", schema, exact, exact, &err) == 0 &&
        sqlite3_prepare_v2(db, exact ? "SELECT * FROM affected" : "SELECT hnum, blob FROM Packages",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW &&
               customs_sqlite_check_row(st, exact ? "ITTTTtttttTttI" : "IB", "row", &err) == 0) {
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_buf sql;
    customs_buf_init(&sql, 1u << 20);
    if (customs_vulndb_schema_sql(&sql) == 0) {
        check(data, size, customs_buf_cstr(&sql), true);
    }
    customs_buf_release(&sql);
    check(data, size,
          "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
          false);
    return 0;
}
