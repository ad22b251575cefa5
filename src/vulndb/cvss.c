/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVSS base scores computed from the vector: version 2.0 (the CVSS v2 Complete Guide, section
 * 3.2.1), 3.0 and 3.1 (the specifications' section 7.1 and, for 3.1, Appendix A's Roundup),
 * and 4.0 (cvss4.c). The stored score of a record is never trusted: the vector is.
 */
#include <math.h>
#include <string.h>

#include "vulndb/cvss.h"
#include "vulndb/vulndb.h"

#include "core/banned.h"

#define CVSS_MAX_VECTOR 512

/* Is `value` (len bytes) one of the space-separated words of `values`? */
static bool cvss_value_allowed(const char *values, const char *value, size_t len)
{
    const char *w = values;
    while (*w != '\0') {
        size_t n = strcspn(w, " ");
        if (n == len && strncmp(w, value, len) == 0) {
            return true;
        }
        w += n;
        w += *w == ' ';
    }
    return false;
}

int cvss_read(struct cvss_values *out, const struct cvss_metric *table, size_t n,
              const char *vector, const char *p, struct customs_error *err)
{
    memset(out, 0, sizeof(*out));
    while (*p != '\0') {
        size_t len = strcspn(p, "/");
        const char *colon = memchr(p, ':', len);
        if (colon == NULL || colon == p) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "CVSS vector \"%.*s\": \"%.*s\" is not METRIC:VALUE",
                                     CVSS_MAX_VECTOR, vector, (int)(len > 16 ? 16 : len), p);
        }
        size_t klen = (size_t)(colon - p);
        size_t vlen = len - klen - 1;
        size_t k = 0;
        while (k < n && (strlen(table[k].name) != klen || strncmp(table[k].name, p, klen) != 0)) {
            k++;
        }
        if (k == n) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "CVSS vector \"%.*s\": unknown metric \"%.*s\"",
                                     CVSS_MAX_VECTOR, vector, (int)(klen > 16 ? 16 : klen), p);
        }
        if (out->value[k][0] != '\0') {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "CVSS vector \"%.*s\": metric %s given twice",
                                     CVSS_MAX_VECTOR, vector, table[k].name);
        }
        if (vlen == 0 || vlen >= CVSS_MAX_VALUE ||
            !cvss_value_allowed(table[k].values, colon + 1, vlen)) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "CVSS vector \"%.*s\": %s has no value \"%.*s\"",
                                     CVSS_MAX_VECTOR, vector, table[k].name,
                                     (int)(vlen > 16 ? 16 : vlen), colon + 1);
        }
        memcpy(out->value[k], colon + 1, vlen);
        p += len;
        if (*p == '/') {
            p++;
            if (*p == '\0') {
                return customs_error_set(err, CUSTOMS_EMALFORMED,
                                         "CVSS vector \"%.*s\": ends with '/'",
                                         CVSS_MAX_VECTOR, vector);
            }
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (table[k].required && out->value[k][0] == '\0') {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "CVSS vector \"%.*s\": base metric %s missing",
                                     CVSS_MAX_VECTOR, vector, table[k].name);
        }
    }
    return 0;
}

/* ---- version 2.0 ---- */

static const struct cvss_metric cvss2_metrics[] = {
    {"AV", "L A N", true},  {"AC", "H M L", true},  {"Au", "M S N", true},
    {"C", "N P C", true},   {"I", "N P C", true},   {"A", "N P C", true},
    {"E", "U POC F H ND", false}, {"RL", "OF TF W U ND", false}, {"RC", "UC UR C ND", false},
    {"CDP", "N L LM MH H ND", false}, {"TD", "N L M H ND", false},
    {"CR", "L M H ND", false}, {"IR", "L M H ND", false}, {"AR", "L M H ND", false},
};

/* The weight of value `v` among `values` ("L A N") in `weights`, in the same order. */
static double cvss_weight(const char *values, const double *weights, const char *v)
{
    size_t i = 0;
    for (const char *w = values; *w != '\0'; i++) {
        size_t n = strcspn(w, " ");
        if (strlen(v) == n && strncmp(w, v, n) == 0) {
            return weights[i];
        }
        w += n;
        w += *w == ' ';
    }
    return 0; /* cvss_read admitted only listed values */
}

static double cvss2_score(const struct cvss_values *v)
{
    static const double av[] = {0.395, 0.646, 1.0}, ac[] = {0.35, 0.61, 0.71},
                        au[] = {0.45, 0.56, 0.704}, cia[] = {0.0, 0.275, 0.660};
    double c = cvss_weight("N P C", cia, v->value[3]);
    double i = cvss_weight("N P C", cia, v->value[4]);
    double a = cvss_weight("N P C", cia, v->value[5]);
    double impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
    double exploitability = 20 * cvss_weight("L A N", av, v->value[0]) *
                            cvss_weight("H M L", ac, v->value[1]) *
                            cvss_weight("M S N", au, v->value[2]);
    double f = impact == 0 ? 0 : 1.176;
    return floor((((0.6 * impact) + (0.4 * exploitability) - 1.5) * f) * 10 + 0.5) / 10;
}

/* ---- versions 3.0 and 3.1 ---- */

static const struct cvss_metric cvss3_metrics[] = {
    {"AV", "N A L P", true}, {"AC", "L H", true}, {"PR", "N L H", true}, {"UI", "N R", true},
    {"S", "U C", true},      {"C", "H L N", true}, {"I", "H L N", true}, {"A", "H L N", true},
    {"E", "X U P F H", false}, {"RL", "X O T W U", false}, {"RC", "X U R C", false},
    {"CR", "X L M H", false}, {"IR", "X L M H", false}, {"AR", "X L M H", false},
    {"MAV", "X N A L P", false}, {"MAC", "X L H", false}, {"MPR", "X N L H", false},
    {"MUI", "X N R", false}, {"MS", "X U C", false}, {"MC", "X N L H", false},
    {"MI", "X N L H", false}, {"MA", "X N L H", false},
};

/* 3.1's Appendix A Roundup: the smallest number, to one decimal place, >= input, computed on
 * integers so that 4.000000000000001 does not become 4.1. 3.0 defines it as ceil(x * 10) / 10. */
static double cvss3_roundup(double x, bool v31)
{
    if (!v31) {
        return ceil(x * 10) / 10;
    }
    long long i = llround(x * 100000.0);
    if (i % 10000 == 0) {
        return (double)i / 100000.0;
    }
    return (double)(i / 10000 + 1) / 10.0;
}

static double cvss3_score(const struct cvss_values *v, bool v31)
{
    static const double av[] = {0.85, 0.62, 0.55, 0.2}, ac[] = {0.77, 0.44},
                        ui[] = {0.85, 0.62}, cia[] = {0.56, 0.22, 0};
    bool changed = strcmp(v->value[4], "C") == 0;
    const double pr_u[] = {0.85, 0.62, 0.27}, pr_c[] = {0.85, 0.68, 0.5};
    double pr = cvss_weight("N L H", changed ? pr_c : pr_u, v->value[2]);
    double c = cvss_weight("H L N", cia, v->value[5]);
    double i = cvss_weight("H L N", cia, v->value[6]);
    double a = cvss_weight("H L N", cia, v->value[7]);
    double iss = 1 - (1 - c) * (1 - i) * (1 - a);
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    double exploitability = 8.22 * cvss_weight("N A L P", av, v->value[0]) *
                            cvss_weight("L H", ac, v->value[1]) * pr *
                            cvss_weight("N R", ui, v->value[3]);
    if (impact <= 0) {
        return 0;
    }
    if (changed) {
        return cvss3_roundup(fmin(1.08 * (impact + exploitability), 10), v31);
    }
    return cvss3_roundup(fmin(impact + exploitability, 10), v31);
}

/* ---- any version ---- */

int customs_cvss_score(struct customs_cvss *out, const char *vector, struct customs_error *err)
{
    struct cvss_values v;
    int rc;
    out->version = CUSTOMS_CVSS_UNKNOWN;
    out->score = -1;
    if (vector == NULL || strnlen(vector, CVSS_MAX_VECTOR + 1) > CVSS_MAX_VECTOR) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "CVSS vector %s",
                                 vector == NULL ? "missing" : "longer than 512 bytes");
    }
    if (strncmp(vector, "CVSS:3.0/", 9) == 0 || strncmp(vector, "CVSS:3.1/", 9) == 0) {
        bool v31 = vector[7] == '1';
        rc = cvss_read(&v, cvss3_metrics, sizeof(cvss3_metrics) / sizeof(cvss3_metrics[0]),
                       vector, vector + 9, err);
        if (rc == 0) {
            out->version = v31 ? CUSTOMS_CVSS_V31 : CUSTOMS_CVSS_V30;
            out->score = cvss3_score(&v, v31);
        }
        return rc;
    }
    if (strncmp(vector, "CVSS:4.0/", 9) == 0) {
        rc = cvss_read(&v, cvss4_metrics, cvss4_nmetrics, vector, vector + 9, err);
        if (rc == 0) {
            out->version = CUSTOMS_CVSS_V40;
            out->score = cvss4_score(&v);
        }
        return rc;
    }
    if (strncmp(vector, "CVSS:", 5) == 0 && strncmp(vector, "CVSS:2.0/", 9) != 0) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "CVSS vector \"%.*s\": unknown version",
                                 CVSS_MAX_VECTOR, vector);
    }
    const char *p = strncmp(vector, "CVSS:2.0/", 9) == 0 ? vector + 9 : vector;
    rc = cvss_read(&v, cvss2_metrics, sizeof(cvss2_metrics) / sizeof(cvss2_metrics[0]), vector,
                   p, err);
    if (rc == 0) {
        out->version = CUSTOMS_CVSS_V2;
        out->score = cvss2_score(&v);
    }
    return rc;
}

const char *customs_cvss_version_name(enum customs_cvss_version version)
{
    switch (version) {
    case CUSTOMS_CVSS_V2:
        return "2.0";
    case CUSTOMS_CVSS_V30:
        return "3.0";
    case CUSTOMS_CVSS_V31:
        return "3.1";
    case CUSTOMS_CVSS_V40:
        return "4.0";
    default:
        return "unknown";
    }
}

const char *customs_cvss_rating(enum customs_cvss_version version, double score)
{
    if (version == CUSTOMS_CVSS_V2) { /* NVD's v2 ranges; v2 itself defines none */
        return score >= 7.0 ? "HIGH" : score >= 4.0 ? "MEDIUM" : "LOW";
    }
    if (score >= 9.0) {
        return "CRITICAL";
    }
    if (score >= 7.0) {
        return "HIGH";
    }
    if (score >= 4.0) {
        return "MEDIUM";
    }
    return score > 0 ? "LOW" : "NONE";
}
