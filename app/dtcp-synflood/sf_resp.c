/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Response judging (see sf_resp.h): the head through perf_http, the body
 * checked as it arrives so that a wrong byte fails the connection at once.
 */
#include "sf_resp.h"

void
sf_resp_init(struct sf_resp *r)
{
	perf_http_init(&r->http);
	r->why = NULL;
}

static int
bad(struct sf_resp *r, const char *why)
{
	r->why = why;
	return -1;
}

int
sf_resp_feed(struct sf_resp *r, const struct sf_resp_expect *e, const uint8_t *p, size_t n)
{
	struct perf_http *h = &r->http;
	size_t head;

	if (r->why != NULL)
		return -1;
	head = perf_http_parse(h, p, n);
	if (h->state == PERF_HTTP_BAD)
		return bad(r, h->why);
	if (h->state != PERF_HTTP_BODY)
		return 0;
	if (h->status != 200)
		return bad(r, "status not 200");
	if (h->content_length < 0)
		return bad(r, "no Content-Length");
	if (e->pattern && (uint64_t)h->content_length != e->pattern_len)
		return bad(r, "Content-Length is not the N of /bytes/N");
	p += head;
	n -= head;
	if (h->body + n > (uint64_t)h->content_length)
		return bad(r, "body longer than Content-Length");
	if (n > 0 && e->pattern && perf_pattern_check(e->tab, h->body, p, n) != n)
		return bad(r, "body does not match the /bytes/N pattern");
	h->body += n;
	return 0;
}

const char *
sf_resp_finish(const struct sf_resp *r, const struct sf_resp_expect *e)
{
	const char *why;

	if (r->why != NULL)
		return r->why;
	why = perf_http_check(&r->http);
	if (why != NULL)
		return why;
	if (r->http.status != 200)
		return "status not 200";
	if (e->pattern && (uint64_t)r->http.content_length != e->pattern_len)
		return "Content-Length is not the N of /bytes/N";
	return NULL;
}
