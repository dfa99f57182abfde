/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-server's HTTP parser, router and response head (app/dtcp-server/http.c)
 * in isolation: every request is fed in one chunk, byte by byte and split at
 * every offset, and must give the same result each way; pipelined requests
 * must be consumed exactly one at a time; malformed ones must name the right
 * status.
 */
#include <stdlib.h>
#include <string.h>

#include "dtcp_test.h"
#include "http.h"

/* Outcome of feeding a whole buffer: result, bytes consumed, request or error. */
struct outcome {
	enum http_parse_result res;
	size_t consumed;
	struct http_request req;
	uint16_t error;
};

static bool
req_eq(const struct http_request *a, const struct http_request *b)
{
	return a->method == b->method && a->version_minor == b->version_minor &&
	       a->keep_alive == b->keep_alive && a->target_bytes == b->target_bytes &&
	       a->bytes_too_big == b->bytes_too_big && a->bytes_n == b->bytes_n &&
	       a->content_length == b->content_length;
}

static bool
outcome_eq(const struct outcome *a, const struct outcome *b)
{
	return a->res == b->res && a->consumed == b->consumed &&
	       (a->res != HTTP_PARSE_DONE || req_eq(&a->req, &b->req)) &&
	       (a->res != HTTP_PARSE_ERROR || a->error == b->error);
}

/* Feed @s in pieces of @step bytes (0: all at once) until the parser stops. */
static struct outcome
feed(const char *s, size_t len, size_t step)
{
	struct http_parser p;
	struct outcome o;
	size_t off = 0;

	memset(&o, 0, sizeof(o));
	http_parser_init(&p);
	do {
		size_t n = step == 0 || step > len - off ? len - off : step, used;

		o.res = http_parse(&p, (const uint8_t *)s + off, n, &used);
		if (o.res == HTTP_PARSE_AGAIN && used != n) {
			fprintf(stderr, "AGAIN must consume everything (%zu of %zu)\n", used, n);
			dtcp_test_failures++;
		}
		off += used;
	} while (off < len && o.res == HTTP_PARSE_AGAIN);
	o.consumed = off;
	o.req = p.req;
	o.error = p.error;
	return o;
}

/* Split in two at every offset, plus one chunk and byte by byte: all must agree. */
static struct outcome
feed_all_ways(const char *s)
{
	size_t len = strlen(s);
	struct outcome ref = feed(s, len, 0), o;

	o = feed(s, len, 1);
	CHECK(outcome_eq(&o, &ref));
	for (size_t cut = 1; cut < len; cut++) {
		struct http_parser p;
		size_t used1 = 0, used2 = 0;
		enum http_parse_result r;

		http_parser_init(&p);
		r = http_parse(&p, (const uint8_t *)s, cut, &used1);
		if (r == HTTP_PARSE_AGAIN)
			r = http_parse(&p, (const uint8_t *)s + cut, len - cut, &used2);
		if (r != ref.res || used1 + used2 != ref.consumed ||
		    (r == HTTP_PARSE_DONE && !req_eq(&p.req, &ref.req)) ||
		    (r == HTTP_PARSE_ERROR && p.error != ref.error)) {
			fprintf(stderr, "split at %zu of \"%s\" differs from one chunk\n", cut, s);
			dtcp_test_failures++;
			break;
		}
	}
	return ref;
}

static void
test_simple_get(void)
{
	const char *s = "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/7.88.1\r\n"
			"Accept: */*\r\n\r\n";
	struct outcome o = feed_all_ways(s);

	CHECK_EQ(o.res, HTTP_PARSE_DONE);
	CHECK_EQ(o.consumed, strlen(s));
	CHECK_EQ(o.req.method, HTTP_METHOD_GET);
	CHECK_EQ(o.req.version_minor, 1);
	CHECK(o.req.keep_alive);
	CHECK(!o.req.target_bytes);
	CHECK_EQ(o.req.content_length, 0);
}

static void
test_bytes_target(void)
{
	static const struct {
		const char *target;
		bool bytes;
		bool too_big;
		uint64_t n;
	} cases[] = {
		{"/bytes/0", true, false, 0},
		{"/bytes/1048576", true, false, 1048576},
		{"/bytes/007", true, false, 7},
		{"/bytes/1073741824?x=1&y", true, false, 1073741824},
		{"/bytes/1099511627776", true, false, UINT64_C(1) << 40},
		{"/bytes/1099511627777", true, true, 0},
		{"/bytes/99999999999999999999999999", true, true, 0},
		{"/bytes/", false, false, 0},
		{"/bytes/?", false, false, 0},
		{"/bytes/12a", false, false, 0},
		{"/bytes/12/", false, false, 0},
		{"/bytes", false, false, 0},
		{"/Bytes/12", false, false, 0},
		{"/bytesx/12", false, false, 0},
		{"/x/bytes/12", false, false, 0},
		{"*", false, false, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256];
		struct outcome o;

		snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", cases[i].target);
		o = feed_all_ways(buf);
		CHECK_EQ(o.res, HTTP_PARSE_DONE);
		CHECK_EQ(o.req.target_bytes, cases[i].bytes);
		CHECK_EQ(o.req.bytes_too_big, cases[i].too_big);
		if (cases[i].bytes && !cases[i].too_big)
			CHECK_EQ(o.req.bytes_n, cases[i].n);
		if (o.req.target_bytes != cases[i].bytes)
			fprintf(stderr, "  target %s\n", cases[i].target);
	}
}

static void
test_keep_alive_rules(void)
{
	static const struct {
		const char *req;
		bool keep_alive;
	} cases[] = {
		{"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: h\r\nconnection:upgrade,  CLOSE \r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nX-Connection: close\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nX: Connection: close\r\n\r\n", true},
		{"GET / HTTP/1.0\r\n\r\n", false},
		{"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
		{"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
		{"GET / HTTP/1.9\r\nHost: h\r\n\r\n", true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct outcome o = feed_all_ways(cases[i].req);

		CHECK_EQ(o.res, HTTP_PARSE_DONE);
		CHECK_EQ(o.req.keep_alive, cases[i].keep_alive);
		if (o.res != HTTP_PARSE_DONE || o.req.keep_alive != cases[i].keep_alive)
			fprintf(stderr, "  request %zu\n", i);
	}
}

static void
test_lenient_framing(void)
{
	/* Bare LF line ends, leading empty lines, tabs and no space after the colon. */
	const char *s = "\r\n\nHEAD /bytes/5 HTTP/1.1\nhost:\th\nContent-Length:0\t \n\n";
	struct outcome o = feed_all_ways(s);

	CHECK_EQ(o.res, HTTP_PARSE_DONE);
	CHECK_EQ(o.consumed, strlen(s));
	CHECK_EQ(o.req.method, HTTP_METHOD_HEAD);
	CHECK(o.req.target_bytes);
	CHECK_EQ(o.req.bytes_n, 5);
}

static void
test_methods(void)
{
	struct outcome o = feed_all_ways("POST / HTTP/1.1\r\nHost: h\r\n\r\n");

	CHECK_EQ(o.res, HTTP_PARSE_DONE);
	CHECK_EQ(o.req.method, HTTP_METHOD_OTHER);
	/* Methods are case-sensitive; a long token is still a method. */
	o = feed_all_ways("get / HTTP/1.1\r\nHost: h\r\n\r\n");
	CHECK_EQ(o.req.method, HTTP_METHOD_OTHER);
	o = feed_all_ways("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH / HTTP/1.1\r\nHost: h\r\n\r\n");
	CHECK_EQ(o.res, HTTP_PARSE_DONE);
	CHECK_EQ(o.req.method, HTTP_METHOD_OTHER);
	o = feed_all_ways("GETX / HTTP/1.1\r\nHost: h\r\n\r\n");
	CHECK_EQ(o.req.method, HTTP_METHOD_OTHER);
}

static void
test_body_skipped_then_pipelined(void)
{
	const char *s = "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"
			"hello world"
			"GET /bytes/3 HTTP/1.1\r\nHost: h\r\n\r\n";
	size_t first = strlen(s) - strlen("GET /bytes/3 HTTP/1.1\r\nHost: h\r\n\r\n");
	struct outcome o = feed_all_ways(s);

	CHECK_EQ(o.res, HTTP_PARSE_DONE);
	CHECK_EQ(o.consumed, first);
	CHECK_EQ(o.req.content_length, 11);
	CHECK_EQ(o.req.method, HTTP_METHOD_OTHER);
	o = feed_all_ways(s + first);
	CHECK_EQ(o.res, HTTP_PARSE_DONE);
	CHECK(o.req.target_bytes);
	CHECK_EQ(o.req.bytes_n, 3);
}

static void
test_pipelined(void)
{
	/* Three requests in one buffer, consumed one at a time by one parser. */
	const char *reqs[] = {
		"GET /bytes/10 HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /bytes/20 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	};
	char buf[512] = "";
	struct http_parser p;
	size_t off = 0, len;

	for (size_t i = 0; i < 3; i++)
		strcat(buf, reqs[i]);
	len = strlen(buf);
	http_parser_init(&p);
	for (size_t i = 0; i < 3; i++) {
		size_t used;

		CHECK_EQ(http_parse(&p, (const uint8_t *)buf + off, len - off, &used),
			 HTTP_PARSE_DONE);
		CHECK_EQ(used, strlen(reqs[i]));
		off += used;
		CHECK_EQ(p.req.keep_alive, i != 2);
		CHECK_EQ(p.req.target_bytes, i != 1);
		/* A parser that is done consumes nothing more until re-initialised. */
		CHECK_EQ(http_parse(&p, (const uint8_t *)buf + off, len - off, &used),
			 HTTP_PARSE_DONE);
		CHECK_EQ(used, 0);
		http_parser_init(&p);
	}
	CHECK_EQ(off, len);

	/* The same stream byte by byte with one parser re-initialised after each request. */
	http_parser_init(&p);
	off = 0;
	for (size_t i = 0, done = 0; i < len; i++) {
		size_t used;
		enum http_parse_result r = http_parse(&p, (const uint8_t *)buf + i, 1, &used);

		CHECK_EQ(used, 1);
		if (r == HTTP_PARSE_DONE) {
			CHECK_EQ(i + 1 - off, strlen(reqs[done]));
			off = i + 1;
			done++;
			http_parser_init(&p);
		} else {
			CHECK_EQ(r, HTTP_PARSE_AGAIN);
		}
	}
	CHECK_EQ(off, len);
}

static void
test_malformed(void)
{
	static const struct {
		const char *req;
		uint16_t status;
		size_t len; /* 0: strlen(req) */
	} cases[] = {
		{"GET\r\n\r\n", 400, 0},
		{"GET /\r\n\r\n", 400, 0}, /* HTTP/0.9 */
		{"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400, 0},
		{" GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, 0},
		{"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, 0},
		{"GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400, 0},
		{"GET / HTTP/1.x\r\nHost: h\r\n\r\n", 400, 0},
		{"GET / HTTP/11\r\nHost: h\r\n\r\n", 400, 0},
		{"GET / http/1.1\r\nHost: h\r\n\r\n", 400, 0},
		{"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, 0},
		{"GET / HTTP/1.1\rHost: h\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\n\rx", 400, 0},
		{"\rGET / HTTP/1.1\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\n\r\n", 400, 0}, /* 1.1 without Host */
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\n: h\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 400,
		 sizeof("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n") - 1},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400, 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400,
		 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
		 0},
		{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 501, 0},
		{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		 "Content-Length: 3\r\n\r\n",
		 400, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].req;
		size_t len = cases[i].len != 0 ? cases[i].len : strlen(s);
		struct outcome o = feed(s, len, 0), b = feed(s, len, 1);

		CHECK_EQ(o.res, HTTP_PARSE_ERROR);
		CHECK_EQ(o.error, cases[i].status);
		CHECK_EQ(b.res, HTTP_PARSE_ERROR);
		CHECK_EQ(b.error, cases[i].status);
		CHECK(o.consumed <= len);
		if (o.res != HTTP_PARSE_ERROR || o.error != cases[i].status)
			fprintf(stderr, "  case %zu: got result %d status %u\n", i, o.res, o.error);
	}
}

static void
test_duplicate_equal_content_length(void)
{
	struct outcome o = feed_all_ways("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
					 "Content-Length: 2\r\n\r\nab");

	CHECK_EQ(o.res, HTTP_PARSE_DONE);
	CHECK_EQ(o.req.content_length, 2);
}

static void
test_limits(void)
{
	size_t n = HTTP_MAX_REQUEST_LINE + 16;
	char *buf = malloc(HTTP_MAX_HEAD + 64);
	struct outcome o;
	size_t len;

	/* A target longer than the request line limit: 414, without waiting for its end. */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', n - 5);
	o = feed(buf, n, 0);
	CHECK_EQ(o.res, HTTP_PARSE_ERROR);
	CHECK_EQ(o.error, 414);
	CHECK(o.consumed <= HTTP_MAX_REQUEST_LINE + 1);

	/* A request line just under the limit is fine. */
	len = (size_t)snprintf(buf, 32, "GET /");
	memset(buf + len, 'b', HTTP_MAX_REQUEST_LINE - len - strlen(" HTTP/1.1\r\n"));
	len = HTTP_MAX_REQUEST_LINE - strlen(" HTTP/1.1\r\n");
	len += (size_t)sprintf(buf + len, " HTTP/1.1\r\nHost: h\r\n\r\n");
	o = feed(buf, len, 0);
	CHECK_EQ(o.res, HTTP_PARSE_DONE);

	/* Endless headers: 431 once the head passes HTTP_MAX_HEAD. */
	len = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
	while (len + 12 < HTTP_MAX_HEAD + 32)
		len += (size_t)sprintf(buf + len, "X-Pad: 1234\r\n");
	o = feed(buf, len, 0);
	CHECK_EQ(o.res, HTTP_PARSE_ERROR);
	CHECK_EQ(o.error, 431);
	CHECK_EQ(o.consumed, HTTP_MAX_HEAD); /* the byte over the limit is not consumed */
	free(buf);
}

static void
test_route(void)
{
	struct http_parser p;
	struct http_response r;
	size_t used;
	const char *get = "GET /bytes/1048576 HTTP/1.1\r\nHost: h\r\n\r\n";
	const char *head10 = "HEAD /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
	const char *put = "PUT / HTTP/1.1\r\nHost: h\r\n\r\n";
	const char *big = "GET /bytes/99999999999999 HTTP/1.1\r\nHost: h\r\n\r\n";

	http_parser_init(&p);
	CHECK_EQ(http_parse(&p, (const uint8_t *)get, strlen(get), &used), HTTP_PARSE_DONE);
	http_route(&p.req, &r);
	CHECK_EQ(r.status, 200);
	CHECK_EQ(r.body, HTTP_BODY_PATTERN);
	CHECK_EQ(r.content_length, 1048576);
	CHECK(r.keep_alive && !r.keep_alive_header && !r.head_only);

	http_parser_init(&p);
	CHECK_EQ(http_parse(&p, (const uint8_t *)head10, strlen(head10), &used), HTTP_PARSE_DONE);
	http_route(&p.req, &r);
	CHECK_EQ(r.status, 200);
	CHECK_EQ(r.body, HTTP_BODY_TEXT);
	CHECK(strcmp(r.text, "dtcp\n") == 0);
	CHECK_EQ(r.content_length, 5);
	CHECK(r.keep_alive && r.keep_alive_header && r.head_only);

	http_parser_init(&p);
	CHECK_EQ(http_parse(&p, (const uint8_t *)put, strlen(put), &used), HTTP_PARSE_DONE);
	http_route(&p.req, &r);
	CHECK_EQ(r.status, 405);
	CHECK(r.keep_alive);

	http_parser_init(&p);
	CHECK_EQ(http_parse(&p, (const uint8_t *)big, strlen(big), &used), HTTP_PARSE_DONE);
	http_route(&p.req, &r);
	CHECK_EQ(r.status, 400);

	http_route_error(431, &r);
	CHECK_EQ(r.status, 431);
	CHECK(!r.keep_alive);
	CHECK_EQ(r.content_length, strlen(r.text));
	http_route_error(7, &r);
	CHECK_EQ(r.status, 400);
}

static void
test_format_head(void)
{
	struct http_response r = {
		.status = 200,
		.keep_alive = true,
		.body = HTTP_BODY_PATTERN,
		.content_length = 1048576,
	};
	const char *want =
		"HTTP/1.1 200 OK\r\nServer: dtcp\r\n"
		"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		"Content-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n";
	char buf[HTTP_HEAD_MAX];
	size_t n;

	n = http_format_head(buf, sizeof(buf), &r, "Sun, 06 Nov 1994 08:49:37 GMT");
	CHECK_EQ(n, strlen(want));
	CHECK_BYTES(buf, want, strlen(want));
	/* Too small: nothing. */
	CHECK_EQ(http_format_head(buf, strlen(want) - 1, &r, "Sun, 06 Nov 1994 08:49:37 GMT"), 0);

	http_route_error(400, &r);
	want = "HTTP/1.1 400 Bad Request\r\nServer: dtcp\r\nContent-Type: text/plain\r\n"
	       "Content-Length: 12\r\nConnection: close\r\n\r\n";
	n = http_format_head(buf, sizeof(buf), &r, NULL);
	CHECK_EQ(n, strlen(want));
	CHECK_BYTES(buf, want, strlen(want));

	r = (struct http_response){.status = 405,
				   .keep_alive = true,
				   .keep_alive_header = true,
				   .text = "m\n",
				   .content_length = 2};
	want = "HTTP/1.1 405 Method Not Allowed\r\nServer: dtcp\r\nContent-Type: text/plain\r\n"
	       "Content-Length: 2\r\nAllow: GET, HEAD\r\nConnection: keep-alive\r\n\r\n";
	n = http_format_head(buf, sizeof(buf), &r, NULL);
	CHECK_EQ(n, strlen(want));
	CHECK_BYTES(buf, want, strlen(want));

	/* The longest head fits HTTP_HEAD_MAX with a date. */
	r = (struct http_response){.status = 431,
				   .keep_alive = true,
				   .keep_alive_header = true,
				   .body = HTTP_BODY_PATTERN,
				   .content_length = UINT64_MAX};
	CHECK(http_format_head(buf, sizeof(buf), &r, "Wed, 30 Sep 2026 23:59:59 GMT") != 0);
}

static void
test_pattern(void)
{
	uint8_t tab[HTTP_PATTERN_PERIOD + 64];
	uint8_t out[1000];

	http_pattern_init(tab, sizeof(tab));
	/* Offsets across the period, lengths above the table's chunk size. */
	for (uint64_t off = 0; off < 600; off += 37) {
		memset(out, 0xee, sizeof(out));
		http_pattern_copy(out, tab, sizeof(tab), off, 999);
		for (size_t i = 0; i < 999; i++) {
			if (out[i] != (off + i) % 251) {
				fprintf(stderr, "pattern at off %" PRIu64 " + %zu: %u\n", off, i,
					out[i]);
				dtcp_test_failures++;
				break;
			}
		}
		CHECK_EQ(out[999], 0xee);
	}
	/* Far offsets (a 1 TiB body's tail). */
	http_pattern_copy(out, tab, sizeof(tab), (UINT64_C(1) << 40) - 3, 3);
	CHECK_EQ(out[0], ((UINT64_C(1) << 40) - 3) % 251);
	CHECK_EQ(out[2], ((UINT64_C(1) << 40) - 1) % 251);
}

int
main(void)
{
	RUN_TEST(test_simple_get);
	RUN_TEST(test_bytes_target);
	RUN_TEST(test_keep_alive_rules);
	RUN_TEST(test_lenient_framing);
	RUN_TEST(test_methods);
	RUN_TEST(test_body_skipped_then_pipelined);
	RUN_TEST(test_pipelined);
	RUN_TEST(test_malformed);
	RUN_TEST(test_duplicate_equal_content_length);
	RUN_TEST(test_limits);
	RUN_TEST(test_route);
	RUN_TEST(test_format_head);
	RUN_TEST(test_pattern);
	return TEST_EXIT();
}
