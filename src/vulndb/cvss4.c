/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVSS v4.0 scores (FIRST CVSS v4.0 specification, section 8, "CVSS v4.0 Scoring"): the
 * vector's six equivalence classes (EQ1..EQ6) name a macro vector, whose score is FIRST's
 * published lookup table entry; the vector's severity distance from the highest-severity
 * vectors of its macro vector, as a share of the macro vector's depth, moves the score towards
 * the next lower macro vector of each class, and the mean of those moves is subtracted.
 * The score is of the metrics the vector gives: threat (E) and environmental metrics count
 * when present, as in the specification's CVSS-BT/BE/BTE nomenclature (NVD's `baseScore`).
 */
#include <math.h>
#include <string.h>

#include "vulndb/cvss.h"

#include "core/banned.h"

/* Metric order matters: the modified metric of base metric i (0..10) is at i + 15. */
const struct cvss_metric cvss4_metrics[] = {
    {"AV", "N A L P", true}, {"AC", "L H", true},   {"AT", "N P", true},   {"PR", "N L H", true},
    {"UI", "N P A", true},   {"VC", "H L N", true}, {"VI", "H L N", true}, {"VA", "H L N", true},
    {"SC", "H L N", true},   {"SI", "H L N", true}, {"SA", "H L N", true},
    {"E", "X A P U", false}, {"CR", "X H M L", false}, {"IR", "X H M L", false},
    {"AR", "X H M L", false},
    {"MAV", "X N A L P", false}, {"MAC", "X L H", false}, {"MAT", "X N P", false},
    {"MPR", "X N L H", false},   {"MUI", "X N P A", false}, {"MVC", "X H L N", false},
    {"MVI", "X H L N", false},   {"MVA", "X H L N", false}, {"MSC", "X H L N", false},
    {"MSI", "X S H L N", false}, {"MSA", "X S H L N", false},
    {"S", "X N P", false}, {"AU", "X N Y", false}, {"R", "X A U I", false},
    {"V", "X D C", false}, {"RE", "X L M H", false}, {"U", "X Clear Green Amber Red", false},
};
const size_t cvss4_nmetrics = sizeof(cvss4_metrics) / sizeof(cvss4_metrics[0]);

enum { AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, E, CR, IR, AR, MSI = 24, MSA = 25 };

/* FIRST's macro vector scores, in tenths; -1 where no macro vector exists. Rows are
 * (EQ1, EQ2, EQ3); the 18 columns run over EQ4 (0..2), then EQ5 (0..2), then EQ6 (0..1). */
static const signed char cvss4_lookup[18][18] = {
    /* 000 */ {100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80, 81, 68},
    /* 001 */ {98, 95, 95, 92, 90, 84, 93, 92, 89, 81, 81, 65, 88, 80, 78, 70, 69, 48},
    /* 002 */ {-1, 92, -1, 82, -1, 72, -1, 79, -1, 69, -1, 50, -1, 69, -1, 55, -1, 27},
    /* 010 */ {99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71, 92, 81, 82, 71, 72, 53},
    /* 011 */ {95, 93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52, 50, 30},
    /* 012 */ {-1, 86, -1, 75, -1, 52, -1, 71, -1, 52, -1, 29, -1, 63, -1, 29, -1, 17},
    /* 100 */ {98, 95, 94, 87, 91, 81, 94, 89, 86, 74, 77, 64, 87, 75, 74, 63, 63, 49},
    /* 101 */ {94, 89, 88, 77, 76, 67, 86, 76, 74, 58, 59, 50, 72, 57, 57, 52, 52, 25},
    /* 102 */ {-1, 83, -1, 70, -1, 54, -1, 65, -1, 58, -1, 26, -1, 53, -1, 21, -1, 13},
    /* 110 */ {95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66, 68, 59, 52, 30},
    /* 111 */ {89, 78, 76, 67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16},
    /* 112 */ {-1, 71, -1, 59, -1, 30, -1, 58, -1, 26, -1, 15, -1, 23, -1, 13, -1, 6},
    /* 200 */ {93, 87, 86, 72, 75, 58, 86, 74, 74, 61, 56, 34, 70, 54, 52, 40, 40, 22},
    /* 201 */ {85, 75, 74, 55, 62, 51, 72, 57, 55, 41, 46, 19, 53, 36, 34, 19, 19, 8},
    /* 202 */ {-1, 64, -1, 51, -1, 20, -1, 47, -1, 21, -1, 11, -1, 24, -1, 9, -1, 4},
    /* 210 */ {88, 75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22, 20, 11},
    /* 211 */ {75, 55, 58, 45, 40, 21, 61, 51, 48, 18, 20, 9, 46, 18, 17, 7, 8, 2},
    /* 212 */ {-1, 53, -1, 24, -1, 14, -1, 24, -1, 12, -1, 5, -1, 10, -1, 3, -1, 1},
};

static double cvss4_macro_score(const int eq[6])
{
    if (eq[0] > 2 || eq[1] > 1 || eq[2] > 2 || eq[3] > 2 || eq[4] > 2 || eq[5] > 1) {
        return NAN;
    }
    int t = cvss4_lookup[(eq[0] * 2 + eq[1]) * 3 + eq[2]][(eq[3] * 3 + eq[4]) * 2 + eq[5]];
    return t < 0 ? NAN : t / 10.0;
}

/* The effective value of metric i: its modified metric when given, the worst case for
 * E and the security requirements when not given. */
static char cvss4_m(const struct cvss_values *v, int i)
{
    const char *s = v->value[i];
    if (i == E && (s[0] == '\0' || s[0] == 'X')) {
        return 'A';
    }
    if ((i == CR || i == IR || i == AR) && (s[0] == '\0' || s[0] == 'X')) {
        return 'H';
    }
    if (i <= SA && v->value[i + 15][0] != '\0' && v->value[i + 15][0] != 'X') {
        return v->value[i + 15][0];
    }
    return s[0];
}

/* The severity level of a value (0 = most severe), as the specification's steps of 0.1. */
static double cvss4_level(int metric, char value)
{
    switch (metric) {
    case AV:
        return value == 'N' ? 0.0 : value == 'A' ? 0.1 : value == 'L' ? 0.2 : 0.3;
    case PR:
        return value == 'N' ? 0.0 : value == 'L' ? 0.1 : 0.2;
    case UI:
        return value == 'N' ? 0.0 : value == 'P' ? 0.1 : 0.2;
    case AC:
        return value == 'L' ? 0.0 : 0.1;
    case AT:
        return value == 'N' ? 0.0 : 0.1;
    case VC:
    case VI:
    case VA:
        return value == 'H' ? 0.0 : value == 'L' ? 0.1 : 0.2;
    case SC:
    case SI:
    case SA:
        return value == 'S' ? 0.0 : value == 'H' ? 0.1 : value == 'L' ? 0.2 : 0.3;
    default: /* CR, IR, AR */
        return value == 'H' ? 0.0 : value == 'M' ? 0.1 : 0.2;
    }
}

/* The highest-severity vectors of each class's values, as the metric values they fix
 * (the specification's table of maximal vectors). */
struct cvss4_max {
    const char *metrics[6];
};

static const struct cvss4_max eq1_max[3][3] = {
    {{{"AV:N", "PR:N", "UI:N"}}},
    {{{"AV:A", "PR:N", "UI:N"}}, {{"AV:N", "PR:L", "UI:N"}}, {{"AV:N", "PR:N", "UI:P"}}},
    {{{"AV:P", "PR:N", "UI:N"}}, {{"AV:A", "PR:L", "UI:P"}}},
};
static const struct cvss4_max eq2_max[2][2] = {
    {{{"AC:L", "AT:N"}}},
    {{{"AC:H", "AT:N"}}, {{"AC:L", "AT:P"}}},
};
/* [EQ3][EQ6] */
static const struct cvss4_max eq3_max[3][2][5] = {
    {{{{"VC:H", "VI:H", "VA:H", "CR:H", "IR:H", "AR:H"}}},
     {{{"VC:H", "VI:H", "VA:L", "CR:M", "IR:M", "AR:H"}},
      {{"VC:H", "VI:H", "VA:H", "CR:M", "IR:M", "AR:M"}}}},
    {{{{"VC:L", "VI:H", "VA:H", "CR:H", "IR:H", "AR:H"}},
      {{"VC:H", "VI:L", "VA:H", "CR:H", "IR:H", "AR:H"}}},
     {{{"VC:L", "VI:H", "VA:L", "CR:H", "IR:M", "AR:H"}},
      {{"VC:L", "VI:H", "VA:H", "CR:H", "IR:M", "AR:M"}},
      {{"VC:H", "VI:L", "VA:H", "CR:M", "IR:H", "AR:M"}},
      {{"VC:H", "VI:L", "VA:L", "CR:M", "IR:H", "AR:H"}},
      {{"VC:L", "VI:L", "VA:H", "CR:H", "IR:H", "AR:M"}}}},
    {{{{NULL}}}, {{{"VC:L", "VI:L", "VA:L", "CR:H", "IR:H", "AR:H"}}}},
};
static const struct cvss4_max eq4_max[3] = {
    {{"SC:H", "SI:S", "SA:S"}}, {{"SC:H", "SI:H", "SA:H"}}, {{"SC:L", "SI:L", "SA:L"}},
};

/* The depth of each class's values, in steps of 0.1 ([EQ3][EQ6] for the pair). */
static const int eq1_depth[3] = {1, 4, 5}, eq2_depth[2] = {1, 2}, eq4_depth[3] = {6, 5, 4};
static const int eq3_depth[3][2] = {{7, 6}, {8, 8}, {0, 10}};

static size_t cvss4_count(const struct cvss4_max *list, size_t cap)
{
    size_t n = 0;
    while (n < cap && list[n].metrics[0] != NULL) {
        n++;
    }
    return n;
}

/* Apply the parts of a maximal vector to `max` (indexed by metric). */
static void cvss4_apply(char *max, const struct cvss4_max *part)
{
    for (int k = 0; k < 6 && part->metrics[k] != NULL; k++) {
        const char *s = part->metrics[k];
        size_t len = strcspn(s, ":");
        for (int i = 0; i <= AR; i++) {
            if (strlen(cvss4_metrics[i].name) == len && strncmp(cvss4_metrics[i].name, s, len) == 0) {
                max[i] = s[len + 1];
            }
        }
    }
}

double cvss4_score(const struct cvss_values *v)
{
    static const int distance_metrics[] = {AV, PR, UI, AC, AT, VC, VI, VA, SC, SI, SA, CR, IR, AR};
    char m[AR + 1];
    for (int i = 0; i <= AR; i++) {
        m[i] = cvss4_m(v, i);
    }
    if (m[VC] == 'N' && m[VI] == 'N' && m[VA] == 'N' && m[SC] == 'N' && m[SI] == 'N' &&
        m[SA] == 'N') {
        return 0.0;
    }
    int eq[6];
    bool av_n = m[AV] == 'N', pr_n = m[PR] == 'N', ui_n = m[UI] == 'N';
    eq[0] = av_n && pr_n && ui_n ? 0 : (av_n || pr_n || ui_n) && m[AV] != 'P' ? 1 : 2;
    eq[1] = m[AC] == 'L' && m[AT] == 'N' ? 0 : 1;
    eq[2] = m[VC] == 'H' && m[VI] == 'H'                   ? 0
            : m[VC] == 'H' || m[VI] == 'H' || m[VA] == 'H' ? 1
                                                           : 2;
    bool safety = v->value[MSI][0] == 'S' || v->value[MSA][0] == 'S';
    eq[3] = safety ? 0 : m[SC] == 'H' || m[SI] == 'H' || m[SA] == 'H' ? 1 : 2;
    eq[4] = m[E] == 'A' ? 0 : m[E] == 'P' ? 1 : 2;
    eq[5] = (m[CR] == 'H' && m[VC] == 'H') || (m[IR] == 'H' && m[VI] == 'H') ||
                    (m[AR] == 'H' && m[VA] == 'H')
                ? 0
                : 1;
    double value = cvss4_macro_score(eq);

    /* the next lower macro vector of each class (EQ3 and EQ6 move together) */
    int lower[5][6];
    for (int k = 0; k < 5; k++) {
        memcpy(lower[k], eq, sizeof(eq));
    }
    lower[0][0]++;
    lower[1][1]++;
    lower[3][3]++;
    lower[4][4]++;
    double next[5];
    if (eq[2] == 0 && eq[5] == 0) {
        int left[6], right[6];
        memcpy(left, eq, sizeof(eq));
        memcpy(right, eq, sizeof(eq));
        left[5]++;
        right[2]++;
        double l = cvss4_macro_score(left), r = cvss4_macro_score(right);
        next[2] = l > r ? l : r;
    } else {
        if (eq[2] == 1 && eq[5] == 0) {
            lower[2][5]++;
        } else if (eq[2] == 2) {
            lower[2][2]++;
            lower[2][5]++;
        } else {
            lower[2][2]++;
        }
        next[2] = cvss4_macro_score(lower[2]);
    }
    next[0] = cvss4_macro_score(lower[0]);
    next[1] = cvss4_macro_score(lower[1]);
    next[3] = cvss4_macro_score(lower[3]);
    next[4] = cvss4_macro_score(lower[4]);

    /* the first maximal vector of the macro vector that is at least as severe in every
     * metric; its severity distances (the last one tried when none is) */
    const struct cvss4_max *l1 = eq1_max[eq[0]], *l2 = eq2_max[eq[1]];
    const struct cvss4_max *l3 = eq3_max[eq[2]][eq[5]], *l4 = &eq4_max[eq[3]];
    size_t n1 = cvss4_count(l1, 3), n2 = cvss4_count(l2, 2), n3 = cvss4_count(l3, 5);
    double d[AR + 1] = {0};
    bool found = false;
    for (size_t a = 0; a < n1 && !found; a++) {
        for (size_t b = 0; b < n2 && !found; b++) {
            for (size_t c = 0; c < n3 && !found; c++) {
                char max[AR + 1] = {0};
                cvss4_apply(max, &l1[a]);
                cvss4_apply(max, &l2[b]);
                cvss4_apply(max, &l3[c]);
                cvss4_apply(max, l4);
                found = true;
                for (size_t k = 0; k < sizeof(distance_metrics) / sizeof(int); k++) {
                    int i = distance_metrics[k];
                    d[i] = cvss4_level(i, m[i]) - cvss4_level(i, max[i]);
                    found = found && d[i] >= 0;
                }
            }
        }
    }
    double current[5] = {
        d[AV] + d[PR] + d[UI],
        d[AC] + d[AT],
        d[VC] + d[VI] + d[VA] + d[CR] + d[IR] + d[AR],
        d[SC] + d[SI] + d[SA],
        0,
    };
    double depth[5] = {
        eq1_depth[eq[0]] * 0.1, eq2_depth[eq[1]] * 0.1, eq3_depth[eq[2]][eq[5]] * 0.1,
        eq4_depth[eq[3]] * 0.1, 0.1,
    };
    int existing = 0;
    double sum = 0;
    for (int k = 0; k < 5; k++) {
        double available = value - next[k];
        if (isnan(available)) {
            continue;
        }
        existing++;
        if (k < 4) { /* EQ5's share is always 0 */
            sum += available * (current[k] / depth[k]);
        }
    }
    if (existing > 0) {
        value -= sum / existing;
    }
    value = value < 0 ? 0.0 : value > 10 ? 10.0 : value;
    /* rounded half up to one decimal place, after adding 1e-6 against the binary fractions'
     * error (FIRST's calculator does the same: 8.549999999999999 is 8.6) */
    return floor((value + 1e-6) * 10 + 0.5) / 10;
}
