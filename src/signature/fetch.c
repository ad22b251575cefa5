/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal, bounded GET for a lookaside store on http(s): TLS verified, http and https only
 * (redirects too, at most 3), connect and low-speed timeouts and an overall limit, the body
 * capped while it arrives. */
#include <curl/curl.h>
#include <pthread.h>
#include <string.h>

#include "signature/internal.h"

#include "core/banned.h"

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_global_init(void)
{
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t fetch_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct customs_buf *b = userdata;
    size_t n = size * nmemb;
    return customs_buf_append(b, ptr, n) == 0 ? n : 0;
}

int customs_sig_fetch(uint8_t **out, size_t *len, const char *url, size_t max,
                      struct customs_error *err)
{
    struct customs_buf body;
    long status = 0;
    int rc = 0;
    *out = NULL;
    *len = 0;
    pthread_once(&fetch_once, fetch_global_init);
    CURL *c = curl_easy_init();
    if (c == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    customs_buf_init(&body, max);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode cr = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (cr == CURLE_WRITE_ERROR || cr == CURLE_FILESIZE_EXCEEDED) {
        rc = customs_error_set(err, CUSTOMS_ELIMIT, "%s: larger than %zu bytes", url, max);
    } else if (cr == CURLE_OPERATION_TIMEDOUT) {
        rc = customs_error_set(err, CUSTOMS_ETIMEOUT, "%s: timed out", url);
    } else if (cr != CURLE_OK) {
        rc = customs_error_set(err, CUSTOMS_EIO, "%s: %s", url, curl_easy_strerror(cr));
    } else if (status == 404 || status == 410) {
        rc = customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: HTTP %ld", url, status);
    } else if (status != 200) {
        rc = customs_error_set(err, CUSTOMS_EIO, "%s: HTTP %ld", url, status);
    }
    if (rc < 0) {
        customs_buf_release(&body);
        return rc;
    }
    *len = body.len;
    *out = (uint8_t *)customs_buf_detach(&body);
    return 0;
}
