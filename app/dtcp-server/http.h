/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The HTTP/1.1 subset dtcp-server speaks: an incremental request parser, the
 * routing decision and the response head, all pure functions over bytes
 * (no DPDK, no allocation, no clock) so that tests/unit/test_http.c can
 * drive them byte by byte.
 *
 * Parsing is a state machine that keeps only what routing needs (method,
 * whether the target is /bytes/N and N, version, Connection tokens,
 * Content-Length, Host count), never the request text itself, so a request
 * may arrive split at any byte over any number of segments. http_parse()
 * stops right after a complete request (head and Content-Length body), so
 * pipelined requests are parsed one at a time from the same buffer.
 *
 * Served: GET and HEAD; `/bytes/N` answers N bytes where byte i is i mod 251,
 * any other target "dtcp\n". Other methods get 405. Request bodies are
 * framed by Content-Length and skipped; Transfer-Encoding is not supported
 * (501). Malformed requests get 400 (414 for an over-long request line, 431
 * for an over-large head, 505 for a major version other than 1) and the
 * connection is closed after the response.
 */
#ifndef DTCP_SERVER_HTTP_H
#define DTCP_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Longest request line accepted (bytes, CRLF included); longer is 414. */
#define HTTP_MAX_REQUEST_LINE 8192
/** Largest request head accepted (request line and headers); larger is 431. */
#define HTTP_MAX_HEAD 65536
/** Largest N served by /bytes/N (1 TiB); larger is 400. */
#define HTTP_BYTES_MAX (UINT64_C(1) << 40)
/** Room for the longest head http_format_head() writes (with a date). */
#define HTTP_HEAD_MAX 320
/** Period of the /bytes/N pattern (a prime, so it never lines up with mbuf sizes). */
#define HTTP_PATTERN_PERIOD 251

/** Request methods the server tells apart. */
enum http_method {
	HTTP_METHOD_OTHER = 0, /**< any other token: 405 */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
};

/** What http_parse() reports. */
enum http_parse_result {
	HTTP_PARSE_AGAIN = 0, /**< all input consumed, the request is not complete yet */
	HTTP_PARSE_DONE,      /**< a complete request; see struct http_request */
	HTTP_PARSE_ERROR,     /**< malformed; see http_parser::error */
};

/** A parsed request: only what routing and keep-alive need. */
struct http_request {
	enum http_method method;
	uint8_t version_minor;	 /**< HTTP/1.x: x (major is always 1 here) */
	bool keep_alive;	 /**< version and Connection header say keep the connection */
	bool target_bytes;	 /**< the path is /bytes/N (a query string is ignored) */
	bool bytes_too_big;	 /**< ... with N above HTTP_BYTES_MAX */
	uint64_t bytes_n;	 /**< N when target_bytes */
	uint64_t content_length; /**< request body length (skipped by the parser) */
};

/** Incremental parser state; initialise with http_parser_init(). */
struct http_parser {
	uint8_t state;		 /**< internal state machine position */
	uint8_t sub;		 /**< position inside the current state */
	uint8_t hdr;		 /**< which header's value is being read */
	uint8_t tok_len;	 /**< bytes in tok */
	char tok[20];		 /**< method, header name or Connection token (lowercased) */
	uint8_t target;		 /**< progress matching "/bytes/N" */
	uint8_t cl_state;	 /**< progress of a Content-Length value */
	uint8_t host_count;	 /**< Host header fields seen */
	bool has_cl;		 /**< a Content-Length field was seen */
	bool has_te;		 /**< a Transfer-Encoding field was seen */
	bool conn_close;	 /**< Connection: close */
	bool conn_keep;		 /**< Connection: keep-alive */
	uint16_t error;		 /**< HTTP status to answer with after HTTP_PARSE_ERROR */
	uint32_t line_len;	 /**< bytes of the request line so far */
	uint32_t head_len;	 /**< bytes of the head so far */
	uint64_t cl_value;	 /**< Content-Length value being read */
	uint64_t body_left;	 /**< request body bytes still to skip */
	struct http_request req; /**< valid after HTTP_PARSE_DONE */
};

/** Kind of response body. */
enum http_body {
	HTTP_BODY_TEXT = 0, /**< a short static text (http_response::text) */
	HTTP_BODY_PATTERN,  /**< content_length bytes of the i mod 251 pattern */
};

/** What to answer. */
struct http_response {
	uint16_t status;	 /**< 200, 400, 405, 414, 431, 501, 505 */
	bool keep_alive;	 /**< keep the connection open afterwards */
	bool keep_alive_header;	 /**< say "Connection: keep-alive" (HTTP/1.0 clients) */
	bool head_only;		 /**< HEAD: the head announces a body that is not sent */
	enum http_body body;	 /**< kind of body */
	const char *text;	 /**< HTTP_BODY_TEXT: the body (static storage) */
	uint64_t content_length; /**< body length announced in Content-Length */
};

/**
 * Prepare @p p for a new request (also after HTTP_PARSE_DONE, for the next
 * pipelined one).
 *
 * @param p the parser.
 */
void http_parser_init(struct http_parser *p);

/**
 * Feed bytes to the parser.
 *
 * Consumes input up to the end of the current request (its head and its
 * Content-Length body) or up to the byte found malformed; bytes after that
 * belong to the next request and are left alone.
 *
 * @param p the parser; after HTTP_PARSE_DONE or HTTP_PARSE_ERROR call
 *        http_parser_init() before feeding it again.
 * @param buf input.
 * @param len bytes in @p buf (0 is allowed).
 * @param consumed set to the bytes of @p buf used.
 * @return HTTP_PARSE_AGAIN (all of @p buf consumed, more needed),
 *   HTTP_PARSE_DONE (p->req is the request) or HTTP_PARSE_ERROR (p->error
 *   is the status to answer with).
 */
enum http_parse_result http_parse(struct http_parser *p, const uint8_t *buf, size_t len,
				  size_t *consumed);

/**
 * Decide the response to a parsed request.
 *
 * @param req the request (after HTTP_PARSE_DONE).
 * @param resp filled in.
 */
void http_route(const struct http_request *req, struct http_response *resp);

/**
 * Decide the response to a malformed request: the error page, then close.
 *
 * @param status the parser's error status (http_parser::error).
 * @param resp filled in.
 */
void http_route_error(uint16_t status, struct http_response *resp);

/**
 * Write the response head: status line, headers, blank line.
 *
 * @param buf destination.
 * @param size room in @p buf; HTTP_HEAD_MAX always suffices.
 * @param resp the response.
 * @param date an IMF-fixdate for the Date header ("Sun, 06 Nov 1994
 *        08:49:37 GMT"), or NULL to leave Date out.
 * @return bytes written (no NUL), or 0 if @p size was too small.
 */
size_t http_format_head(char *buf, size_t size, const struct http_response *resp, const char *date);

/**
 * Fill @p tab with the /bytes/N pattern for http_pattern_copy():
 * tab[i] = i mod HTTP_PATTERN_PERIOD.
 *
 * @param tab the table.
 * @param len its size; at least HTTP_PATTERN_PERIOD + the longest copy.
 */
void http_pattern_init(uint8_t *tab, size_t len);

/**
 * Copy bytes @p off .. @p off + @p len - 1 of the /bytes/N pattern.
 *
 * @param dst destination.
 * @param tab table from http_pattern_init().
 * @param tab_len size of @p tab; @p len must not exceed tab_len - HTTP_PATTERN_PERIOD.
 * @param off offset of the first byte in the body.
 * @param len bytes to copy.
 */
void http_pattern_copy(uint8_t *dst, const uint8_t *tab, size_t tab_len, uint64_t off, size_t len);

#endif /* DTCP_SERVER_HTTP_H */
