/* SPDX-License-Identifier: Apache-2.0 */
/* --verify-key: the keys read from files, a private GnuPG home made for the OpenPGP ones and
 * removed afterwards, the image's signatures judged before it is scanned. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/core.h"
#include "policy/policy.h"
#include "signature/signature.h"

#define KEY_FILE_MAX ((size_t)1 << 20)

extern char **environ;

static int verify_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Stop a gpg-agent GnuPG may have started for the home, then remove the home. */
static void verify_home_remove(const char *home)
{
    char sock[4200];
    struct stat st;
    snprintf(sock, sizeof(sock), "%s/S.gpg-agent", home);
    if (lstat(sock, &st) == 0) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", home);
        char *const argv[] = {"gpgconf", "--homedir", dir, "--kill", "all", NULL};
        pid_t pid;
        int status;
        if (posix_spawnp(&pid, "gpgconf", NULL, NULL, argv, environ) == 0) {
            waitpid(pid, &status, 0);
        }
    }
    if (nftw(home, verify_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        cli_error("could not remove the temporary GnuPG home %s: %s", home, strerror(errno));
    }
}

int cli_verify_signatures(struct cli_verify *cv, const char *target, const char *platform,
                          const struct customs_registry_options *registry,
                          const struct customs_limits *limits, struct customs_sig_result *res)
{
    struct customs_sig_verifier *v = NULL;
    struct customs_error err = {0};
    char home[4096] = "";
    int rc = CLI_EXIT_ERROR;
    const char *tmp = getenv("TMPDIR");
    snprintf(home, sizeof(home), "%s/customs-gnupg-XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(home) == NULL) {
        cli_error("cannot create a temporary GnuPG home: %s", strerror(errno));
        return CLI_EXIT_ERROR;
    }
    customs_sig_result_init(res);
    if (customs_sig_verifier_new(&v, home, &err) < 0) {
        cli_error("%s", err.message);
        goto out;
    }
    for (size_t i = 0; i < cv->nkeys; i++) {
        uint8_t *data = NULL;
        size_t len = 0;
        int r = customs_read_file(cv->keys[i], KEY_FILE_MAX, &data, &len, &err);
        if (r == 0) {
            r = customs_sig_verifier_add_key(v, cv->keys[i], data, len, &err);
        }
        customs_free(data);
        if (r < 0) {
            cli_error("--verify-key: %s", err.message);
            goto out;
        }
    }
    if (customs_sig_verify_target(res, v, target, platform, cv->identity, cv->lookaside,
                                  registry, limits, &err) < 0) {
        cli_error("signature: %s", err.message);
        goto out;
    }
    if (res->status == CUSTOMS_SIG_VERIFIED) {
        fprintf(stderr, "customs: signature verified by ");
        cli_put_escaped(stderr, res->key);
        fprintf(stderr, " (%s, %s, signed as ", res->format == CUSTOMS_SIG_COSIGN ? "cosign" : "openpgp",
                res->digest);
        cli_put_escaped(stderr, res->identity);
        fprintf(stderr, ")\n");
        rc = CLI_EXIT_CLEAN;
    } else {
        cli_error("signature NOT verified for %s: %s: %s", res->digest,
                  customs_sig_status_name(res->status), res->reason);
        rc = CLI_EXIT_FINDINGS;
    }
out:
    customs_sig_verifier_free(v);
    verify_home_remove(home);
    return rc;
}

/* `path` as written in the policy file `policy_path`: an absolute path as is, a relative one
 * relative to the policy file's directory, into `out` (4096 bytes). */
static void verify_policy_relative(char out[4096], const char *policy_path, const char *path)
{
    const char *slash = strrchr(policy_path, '/');
    if (path[0] == '/' || slash == NULL) {
        snprintf(out, 4096, "%s", path);
    } else {
        snprintf(out, 4096, "%.*s/%s", (int)(slash - policy_path), policy_path, path);
    }
}

/* images.signatures of the policy, when --verify-key is not given: its keys (relative to the
 * policy file's directory) and lookaside. @return true when the policy asks for a signature */
bool cli_verify_from_policy(struct cli_verify *cv, char keybuf[][4096],
                            const struct customs_policy *p, const char *policy_path)
{
    const struct customs_policy_images *im = &p->base.images;
    if (!im->signatures_required || cv->nkeys > 0) {
        return false;
    }
    for (size_t i = 0; i < im->nsignature_keys && cv->nkeys < CLI_VERIFY_KEYS_MAX; i++) {
        verify_policy_relative(keybuf[cv->nkeys], policy_path, im->signature_keys[i]);
        cv->keys[cv->nkeys] = keybuf[cv->nkeys];
        cv->nkeys++;
    }
    const char *look = im->signature_lookaside;
    if (cv->lookaside == NULL && look != NULL) {
        bool url = customs_str_has_prefix(look, "http://") ||
                   customs_str_has_prefix(look, "https://");
        if (url) {
            cv->lookaside = look;
        } else {
            verify_policy_relative(cv->lookaside_buf, policy_path, look);
            cv->lookaside = cv->lookaside_buf;
        }
    }
    return true;
}
