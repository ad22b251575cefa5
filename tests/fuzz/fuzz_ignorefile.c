/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the ignore file (plain lines and the YAML form, by name and by content), then apply what
 * it read to a report holding one finding of each kind, so matching (globs, purls, ids) runs on
 * whatever a hostile file can say. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "policy/filter.h"
#include "model/report.h"

static struct customs_report *fuzz_report(void)
{
    struct customs_report *r = customs_report_new();
    if (r == NULL) {
        return NULL;
    }
    struct customs_package *p = customs_inventory_add(&r->inventory);
    struct customs_vuln_finding *v = customs_vec_push(&r->vulns);
    struct customs_secret_finding *s = customs_vec_push(&r->secrets);
    struct customs_malware_finding *m = customs_vec_push(&r->malware);
    struct customs_misconfig *c = customs_vec_push(&r->misconfigs);
    if (p == NULL || v == NULL || s == NULL || m == NULL || c == NULL) {
        customs_report_free(r);
        return NULL;
    }
    p->type = "npm";
    p->name = "lodash";
    p->purl = "pkg:npm/lodash@4.17.20";
    p->path = "/app/node_modules/lodash/package.json";
    memset(v, 0, sizeof(*v));
    v->id = "CVE-2021-23337";
    v->name = "lodash";
    v->installed = "4.17.20";
    memset(s, 0, sizeof(*s));
    s->rule = "aws-access-key-id";
    s->path = "/app/test/fixtures.env";
    memset(m, 0, sizeof(*m));
    m->rule = "customs:EICAR_Test_File";
    m->path = "/srv/eicar.com";
    memset(c, 0, sizeof(*c));
    c->check = "CUSTOMS-IMG-001";
    c->file = "Dockerfile";
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"fuzz", "fuzz.yaml"};
    for (size_t i = 0; i < 2; i++) {
        struct customs_filter f;
        struct customs_error err;
        customs_filter_init(&f);
        if (customs_filter_parse_ignorefile(&f, names[i], data, size, &err) == 0) {
            struct customs_report *r = fuzz_report();
            struct customs_vec out;
            struct customs_vec by;
            customs_vec_init(&out, sizeof(struct customs_misconfig));
            customs_vec_init(&by, sizeof(size_t));
            if (r != NULL) {
                fuzz_result(customs_filter_apply(&f, r, &err));
                fuzz_result(customs_filter_apply_misconfigs(&f, &r->misconfigs, &out, &by));
                for (size_t k = 0; k < by.len; k++) { /* each names an entry of the file */
                    if (*(const size_t *)customs_vec_at(&by, k) >= f.ignores.len) {
                        abort();
                    }
                }
            }
            customs_vec_release(&out);
            customs_vec_release(&by);
            customs_report_free(r);
        }
        customs_filter_release(&f);
    }
    return 0;
}
