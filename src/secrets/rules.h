/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SECRETS_RULES_H
#define CUSTOMS_SECRETS_RULES_H

#include "secrets/secrets.h"

/** Append the rules of one YAML rule file (named `name` in messages) to `rules`, and fill
 * `allow` from its `allowlist:` (left empty when the file has none). */
CUSTOMS_MUST_USE
int customs_secret_rules_load(struct customs_vec *rules, struct customs_secret_allowlist *allow,
                              struct customs_arena *arena, const char *name, const void *data,
                              size_t len, struct customs_error *err);

extern const unsigned char customs_secret_rules_yaml[];
extern const size_t customs_secret_rules_yaml_len;

#endif /* CUSTOMS_SECRETS_RULES_H */
