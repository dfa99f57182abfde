/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <strings.h>

#include "perf_http.h"

void
perf_http_init(struct perf_http *h)
{
	h->state = PERF_HTTP_STATUS;
	h->truncated = false;
	h->line_len = 0;
	h->head_len = 0;
	h->status = 0;
	h->content_length = -1;
	h->body = 0;
	h->why = NULL;
}

static void
bad(struct perf_http *h, const char *why)
{
	h->state = PERF_HTTP_BAD;
	h->why = why;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "HTTP/1.x SSS[ reason]" */
static void
status_line(struct perf_http *h, const char *l, size_t n)
{
	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || !is_digit(l[7]) || l[8] != ' ' ||
	    !is_digit(l[9]) || !is_digit(l[10]) || !is_digit(l[11]) || (n > 12 && l[12] != ' ')) {
		bad(h, "malformed status line");
		return;
	}
	h->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	h->state = PERF_HTTP_HEADERS;
}

/* "Name: OWS value OWS"; only Content-Length matters to us. */
static void
header_line(struct perf_http *h, const char *l, size_t n)
{
	static const char cl[] = "content-length:";
	size_t i = sizeof(cl) - 1;
	int64_t v = 0;

	if (n == 0) {
		h->state = PERF_HTTP_BODY;
		return;
	}
	if (memchr(l, ':', n) == NULL) {
		bad(h, "malformed header field");
		return;
	}
	if (n < i || strncasecmp(l, cl, i) != 0)
		return;
	if (h->truncated) {
		bad(h, "Content-Length field too long");
		return;
	}
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i == n || !is_digit(l[i])) {
		bad(h, "malformed Content-Length");
		return;
	}
	for (; i < n && is_digit(l[i]); i++) {
		if (v > (INT64_MAX - 9) / 10) {
			bad(h, "Content-Length too large");
			return;
		}
		v = v * 10 + (l[i] - '0');
	}
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i != n) {
		bad(h, "malformed Content-Length");
		return;
	}
	/* RFC 9112 6.3: differing repeated values make the length unknowable. */
	if (h->content_length >= 0 && h->content_length != v) {
		bad(h, "conflicting Content-Length fields");
		return;
	}
	h->content_length = v;
}

size_t
perf_http_parse(struct perf_http *h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len;

		if (h->state == PERF_HTTP_BODY)
			return i;
		if (h->state == PERF_HTTP_BAD)
			return n;
		if (++h->head_len > PERF_HTTP_HEADER_MAX) {
			bad(h, "response head too long");
			return n;
		}
		if (p[i] != '\n') {
			if (h->line_len < PERF_HTTP_LINE_MAX)
				h->line[h->line_len++] = (char)p[i];
			else
				h->truncated = true;
			continue;
		}
		len = h->line_len;
		if (len > 0 && h->line[len - 1] == '\r' && !h->truncated)
			len--;
		if (h->state == PERF_HTTP_STATUS)
			status_line(h, h->line, len);
		else
			header_line(h, h->line, len);
		h->line_len = 0;
		h->truncated = false;
	}
	return h->state == PERF_HTTP_BAD ? n : i;
}

const char *
perf_http_check(const struct perf_http *h)
{
	switch (h->state) {
	case PERF_HTTP_BAD:
		return h->why;
	case PERF_HTTP_BODY:
		break;
	default:
		return "connection closed inside the response head";
	}
	if (h->status < 200 || h->status > 299)
		return "status not 2xx";
	if (h->content_length < 0)
		return "no Content-Length";
	if (h->body < (uint64_t)h->content_length)
		return "body shorter than Content-Length";
	if (h->body > (uint64_t)h->content_length)
		return "body longer than Content-Length";
	return NULL;
}
