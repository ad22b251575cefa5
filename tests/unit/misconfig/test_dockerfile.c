/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "misconfig/misconfig.h"

/* A final stage that passes every check: pinned base, USER, HEALTHCHECK. */
#define CLEAN_HEAD "FROM alpine:3.20@sha256:" \
    "0000000000000000000000000000000000000000000000000000000000000000\n"
#define CLEAN_TAIL "USER app\nHEALTHCHECK CMD wget -q --spider http://localhost/ || exit 1\n"

/* "ID@line" of every finding, joined by spaces; "" when clean. */
static const char *audit(const char *text)
{
    static char buf[4096];
    struct customs_dockerfile df;
    struct customs_misconfig_set set;
    struct customs_error err = {0};
    size_t n = 0;
    buf[0] = '\0';
    if (customs_dockerfile_parse(&df, "Dockerfile", text, strlen(text), &err) != 0) {
        fail_msg("%s", err.message);
    }
    customs_misconfig_set_init(&set);
    assert_int_equal(customs_dockerfile_audit(&set, &df, "Dockerfile", &err), 0);
    for (size_t i = 0; i < customs_misconfig_set_count(&set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(&set, i);
        assert_string_equal(m->source, "dockerfile");
        assert_int_equal(m->column, 1);
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s@%d", i ? " " : "",
                              m->check + strlen("CUSTOMS-"), m->line);
    }
    customs_misconfig_set_release(&set);
    customs_dockerfile_release(&df);
    return buf;
}

static const char *parse_error(const char *text, size_t len)
{
    static char msg[CUSTOMS_ERROR_MESSAGE_MAX];
    struct customs_dockerfile df;
    struct customs_error err = {0};
    assert_int_not_equal(customs_dockerfile_parse(&df, "Dockerfile", text, len, &err), 0);
    snprintf(msg, sizeof(msg), "%s", err.message);
    return msg;
}

static void parser__joins_continuations_and_skips_comments_inside_them(void **state)
{
    (void)state;
    const char *t = "# a comment\n"
                    "FROM alpine:3.20 AS Build\n"
                    "RUN apk add \\\n"
                    "# inside the continuation\n"
                    "\n"
                    "    curl   \n"
                    "COPY --from=build a b\n";
    struct customs_dockerfile df;
    struct customs_error err = {0};
    assert_int_equal(customs_dockerfile_parse(&df, "D", t, strlen(t), &err), 0);
    assert_int_equal(df.instrs.len, 3);
    const struct customs_dockerfile_instr *run = customs_dockerfile_instr_at(&df, 1);
    assert_string_equal(run->keyword, "RUN");
    assert_string_equal(run->args, "apk add     curl");
    assert_int_equal(run->line, 3);
    assert_int_equal(run->end_line, 6);
    assert_int_equal(customs_dockerfile_instr_at(&df, 2)->line, 7);
    assert_string_equal(customs_dockerfile_stage_at(&df, 0)->name, "build");
    customs_dockerfile_release(&df);
}

static void parser__honours_the_escape_directive(void **state)
{
    (void)state;
    const char *t = "# escape=`\n"
                    "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
                    "RUN dir C:\\ `\n"
                    "    && echo done\n";
    struct customs_dockerfile df;
    struct customs_error err = {0};
    assert_int_equal(customs_dockerfile_parse(&df, "D", t, strlen(t), &err), 0);
    assert_int_equal(df.escape, '`');
    assert_string_equal(customs_dockerfile_instr_at(&df, 1)->args, "dir C:\\     && echo done");
    customs_dockerfile_release(&df);
    assert_string_equal(parse_error("# escape=x\nFROM a\n", 17),
                        "Dockerfile:1: escape directive must be \\ or `");
}

static void parser__reads_heredocs_and_keeps_line_numbers(void **state)
{
    (void)state;
    const char *t = "FROM debian:12\n"
                    "RUN <<EOF\n"
                    "curl -fsSL https://x.sh | sh\n"
                    "EOF\n"
                    "COPY <<-'END' /etc/motd\n"
                    "\thello\n"
                    "\tEND\n"
                    "USER 1000\n";
    struct customs_dockerfile df;
    struct customs_error err = {0};
    assert_int_equal(customs_dockerfile_parse(&df, "D", t, strlen(t), &err), 0);
    assert_int_equal(df.instrs.len, 4);
    assert_string_equal(customs_dockerfile_instr_at(&df, 1)->heredoc,
                        "curl -fsSL https://x.sh | sh\n");
    assert_string_equal(customs_dockerfile_instr_at(&df, 2)->heredoc, "hello\n");
    assert_int_equal(customs_dockerfile_instr_at(&df, 2)->line, 5);
    assert_int_equal(customs_dockerfile_instr_at(&df, 3)->line, 8);
    customs_dockerfile_release(&df);
    assert_string_equal(audit(t), "DF-005@1 DF-006@2 DF-011@1");
    assert_string_equal(parse_error("FROM a\nRUN <<EOF\necho\n", 21),
                        "Dockerfile:2: heredoc <<EOF is not terminated");
}

static void parser__reads_exec_form_as_json_and_falls_back_to_shell_form(void **state)
{
    (void)state;
    const char *t = "FROM a\nCMD [\"sh\", \"-c\", \"echo hi\"]\nCMD [not json]\n";
    struct customs_dockerfile df;
    struct customs_error err = {0};
    assert_int_equal(customs_dockerfile_parse(&df, "D", t, strlen(t), &err), 0);
    const struct customs_dockerfile_instr *cmd = customs_dockerfile_instr_at(&df, 1);
    assert_int_equal(cmd->argc, 3);
    assert_string_equal(cmd->argv[2], "echo hi");
    assert_null(cmd->argv[3]);
    assert_null(customs_dockerfile_instr_at(&df, 2)->argv);
    customs_dockerfile_release(&df);
}

static void parser__resolves_stages_and_global_args_in_from(void **state)
{
    (void)state;
    const char *t = "ARG BASE=golang\nARG TAG\n"
                    "FROM ${BASE}:1.22 AS builder\n"
                    "FROM --platform=linux/amd64 builder\n"
                    "FROM python:${TAG}\n"
                    "FROM ${MISSING:-debian}:12\n";
    struct customs_dockerfile df;
    struct customs_error err = {0};
    assert_int_equal(customs_dockerfile_parse(&df, "D", t, strlen(t), &err), 0);
    assert_int_equal(df.stages.len, 4);
    assert_string_equal(customs_dockerfile_stage_at(&df, 0)->resolved, "golang:1.22");
    assert_int_equal(customs_dockerfile_stage_at(&df, 1)->base_stage, 0);
    assert_null(customs_dockerfile_stage_at(&df, 2)->resolved);
    assert_string_equal(customs_dockerfile_stage_at(&df, 3)->resolved, "debian:12");
    assert_int_equal(customs_dockerfile_instr_at(&df, 0)->stage, -1);
    assert_int_equal(customs_dockerfile_stage_at(&df, 3)->line, 6);
    customs_dockerfile_release(&df);
}

static void parser__rejects_hostile_input_with_file_and_line(void **state)
{
    (void)state;
    assert_string_equal(parse_error("FROM a\nRUN x\0y\n", 15),
                        "Dockerfile:2: NUL byte in a Dockerfile");
    assert_string_equal(parse_error("RUN x\n", 6),
                        "Dockerfile:1: RUN before the first FROM (only ARG may come first)");
    /* a word that is no instruction is the file's content (it may be a secret): never quoted */
    assert_string_equal(parse_error("hunter2Zq9xK4 x\nFROM a\n", 23),
                        "Dockerfile:1: a line that is no instruction before the first FROM (only "
                        "ARG may come first)");
    assert_string_equal(parse_error("# only a comment\n", 17), "Dockerfile:1: no FROM instruction");
    static char big[(1u << 20) + 64];
    memset(big, 'a', sizeof(big));
    memcpy(big, "FROM a\nRUN ", 11);
    assert_string_equal(parse_error(big, sizeof(big)),
                        "Dockerfile:2: instruction longer than 1048576 bytes");
}

static void checks__a_clean_dockerfile_has_no_findings(void **state)
{
    (void)state;
    assert_string_equal(audit(CLEAN_HEAD "RUN apk add --no-cache curl=8.9.1-r0\n" CLEAN_TAIL), "");
}

static void checks__final_stage_as_root(void **state)
{
    (void)state;
    /* no USER: at the final FROM */
    assert_string_equal(audit("FROM a:1@sha256:00 AS b\nUSER app\nFROM c:1@sha256:00\n"
                              "HEALTHCHECK NONE\n"),
                        "DF-001@3 DF-011@4");
    /* USER root and 0:0 */
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "USER root\n"), "DF-001@4");
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "USER 0:0\n"), "DF-001@4");
    /* inherited from the stage it builds on; ARG scoping in USER */
    assert_string_equal(audit("FROM a:1@sha256:00 AS base\nUSER app\nHEALTHCHECK CMD true\n"
                              "FROM base\n"),
                        "");
    assert_string_equal(audit("ARG U=root\n" CLEAN_HEAD CLEAN_TAIL "ARG U\nUSER $U\n"),
                        "DF-001@6");
    assert_string_equal(audit("ARG U=root\n" CLEAN_HEAD CLEAN_TAIL "USER ${U}\n"), "");
}

static void checks__add_of_urls_and_local_files(void **state)
{
    (void)state;
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "ADD https://x.org/a.tgz /opt/\n"),
                        "DF-002@4");
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL
                              "ADD --checksum=sha256:00 https://x.org/a.tgz /opt/\n"),
                        "");
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "ADD app.jar /app/\n"), "DF-003@4");
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "ADD [\"a.zip\", \"/a/\"]\n"), "DF-003@4");
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "ADD rootfs.tar.xz /\n"), "");
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "COPY app.jar /app/\n"), "");
}

static void checks__base_image_tags_and_digests(void **state)
{
    (void)state;
    assert_string_equal(audit("FROM ubuntu\n" CLEAN_TAIL), "DF-004@1");
    assert_string_equal(audit("FROM ubuntu:latest\n" CLEAN_TAIL), "DF-004@1");
    assert_string_equal(audit("FROM registry:5000/ubuntu\n" CLEAN_TAIL), "DF-004@1");
    assert_string_equal(audit("FROM registry:5000/ubuntu:24.04\n" CLEAN_TAIL), "DF-005@1");
    assert_string_equal(audit("FROM scratch\n" CLEAN_TAIL), "");
    assert_string_equal(audit("ARG V\nFROM ubuntu:${V}\n" CLEAN_TAIL), "");
}

static void checks__remote_scripts_piped_into_a_shell(void **state)
{
    (void)state;
    assert_string_equal(audit(CLEAN_HEAD "RUN curl -fsSL https://x.sh | sh\n" CLEAN_TAIL),
                        "DF-006@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN wget -O- https://x.sh | sudo -E bash -\n"
                              CLEAN_TAIL),
                        "DF-006@2 DF-010@2");
    assert_string_equal(audit(CLEAN_HEAD
                              "RUN sh -c \"$(curl -fsSL https://x/install.sh)\"\n" CLEAN_TAIL),
                        "DF-006@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN [\"bash\", \"-c\", \"curl -s u | bash\"]\n"
                              CLEAN_TAIL),
                        "DF-006@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN curl -fsSLo /tmp/i.sh https://x.sh && "
                              "sha256sum -c s && sh /tmp/i.sh\n" CLEAN_TAIL),
                        "");
    assert_string_equal(audit(CLEAN_HEAD "RUN curl -s https://x | tar -xz\n" CLEAN_TAIL), "");
}

static void checks__secrets_in_env_and_arg(void **state)
{
    (void)state;
    assert_string_equal(audit(CLEAN_HEAD "ENV DB_PASSWORD=hunter2\n" CLEAN_TAIL), "DF-007@2");
    assert_string_equal(audit(CLEAN_HEAD "ENV GITHUB_TOKEN ghp_abc def\n" CLEAN_TAIL),
                        "DF-007@2");
    assert_string_equal(audit("ARG API_KEY=\"k\"\n" CLEAN_HEAD CLEAN_TAIL), "DF-007@1");
    assert_string_equal(audit(CLEAN_HEAD "ARG NPM_TOKEN\nENV A=1 client-secret=x\n" CLEAN_TAIL),
                        "DF-007@3");
    /* whole name components only; switches, references, files and empty values are not
       literal secrets */
    assert_string_equal(audit(CLEAN_HEAD "ENV TOKENIZERS_PARALLELISM=x PASSWORD_AUTH=false\n"
                              "ARG AWS_SECRET_ACCESS_KEY=AKIAxyz\n" CLEAN_TAIL),
                        "DF-007@3");
    assert_string_equal(audit(CLEAN_HEAD "ENV DB_PASSWORD=$PW PASSWORD_FILE=/run/s TOKEN=\"\"\n"
                              CLEAN_TAIL),
                        "");
}

static void checks__package_installs_without_cleanup_or_pinning(void **state)
{
    (void)state;
    assert_string_equal(audit(CLEAN_HEAD "RUN apt-get update && apt-get install -y curl\n"
                              CLEAN_TAIL),
                        "DF-009@2 DF-008@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN apt-get update && apt-get install -y --no-install-"
                              "recommends curl=8.5.0-2 && rm -rf /var/lib/apt/lists/*\n"
                              CLEAN_TAIL),
                        "");
    assert_string_equal(audit(CLEAN_HEAD "RUN apk add curl=8.9.1-r0\n" CLEAN_TAIL), "DF-008@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN apk add --no-cache curl\n" CLEAN_TAIL),
                        "DF-009@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN yum -y install httpd-2.4.57 && yum clean all\n"
                              CLEAN_TAIL),
                        "");
    assert_string_equal(audit(CLEAN_HEAD "RUN dnf install -y httpd-2.4.57\n" CLEAN_TAIL),
                        "DF-008@2");
    /* a cache mount needs no cleanup; a builder stage is not shipped */
    assert_string_equal(audit(CLEAN_HEAD "RUN --mount=type=cache,target=/var/cache/apk apk add "
                              "curl=1-r0\n" CLEAN_TAIL),
                        "");
    assert_string_equal(audit("FROM alpine:3@sha256:00 AS b\nRUN apk add curl=1-r0\n"
                              CLEAN_HEAD CLEAN_TAIL),
                        "");
}

static void checks__sudo_ssh_port_and_chmod(void **state)
{
    (void)state;
    assert_string_equal(audit(CLEAN_HEAD "RUN sudo make install\n" CLEAN_TAIL), "DF-010@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN echo sudo\n" CLEAN_TAIL), "");
    assert_string_equal(audit(CLEAN_HEAD "EXPOSE 80 22/tcp\n" CLEAN_TAIL), "DF-012@2");
    assert_string_equal(audit(CLEAN_HEAD "EXPOSE 20-30\n" CLEAN_TAIL), "DF-012@2");
    assert_string_equal(audit(CLEAN_HEAD "EXPOSE 2222 22/udp\n" CLEAN_TAIL), "");
    assert_string_equal(audit(CLEAN_HEAD "RUN chmod -R 777 /app\n" CLEAN_TAIL), "DF-013@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN chmod a+rwx /app\n" CLEAN_TAIL), "DF-013@2");
    assert_string_equal(audit(CLEAN_HEAD "COPY --chmod=0777 a /a\n" CLEAN_TAIL), "DF-013@2");
    assert_string_equal(audit(CLEAN_HEAD "RUN chmod 1777 /tmp && chmod u+w,go-w x && "
                              "chmod 755 /app\n" CLEAN_TAIL),
                        "");
}

static void checks__no_healthcheck(void **state)
{
    (void)state;
    assert_string_equal(audit(CLEAN_HEAD "USER app\n"), "DF-011@1");
    assert_string_equal(audit(CLEAN_HEAD CLEAN_TAIL "FROM x:1@sha256:00\nUSER app\n"),
                        "DF-011@4");
}

static void checks__are_listed_with_ids_in_order(void **state)
{
    (void)state;
    assert_int_equal(customs_dockerfile_check_count(), 13);
    assert_string_equal(customs_dockerfile_check_at(0)->id, "CUSTOMS-DF-001");
    assert_string_equal(customs_dockerfile_check_at(12)->id, "CUSTOMS-DF-013");
    assert_null(customs_dockerfile_check_at(13));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parser__joins_continuations_and_skips_comments_inside_them),
        cmocka_unit_test(parser__honours_the_escape_directive),
        cmocka_unit_test(parser__reads_heredocs_and_keeps_line_numbers),
        cmocka_unit_test(parser__reads_exec_form_as_json_and_falls_back_to_shell_form),
        cmocka_unit_test(parser__resolves_stages_and_global_args_in_from),
        cmocka_unit_test(parser__rejects_hostile_input_with_file_and_line),
        cmocka_unit_test(checks__a_clean_dockerfile_has_no_findings),
        cmocka_unit_test(checks__final_stage_as_root),
        cmocka_unit_test(checks__add_of_urls_and_local_files),
        cmocka_unit_test(checks__base_image_tags_and_digests),
        cmocka_unit_test(checks__remote_scripts_piped_into_a_shell),
        cmocka_unit_test(checks__secrets_in_env_and_arg),
        cmocka_unit_test(checks__package_installs_without_cleanup_or_pinning),
        cmocka_unit_test(checks__sudo_ssh_port_and_chmod),
        cmocka_unit_test(checks__no_healthcheck),
        cmocka_unit_test(checks__are_listed_with_ids_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
