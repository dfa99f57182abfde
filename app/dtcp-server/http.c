/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 request parser, router and response head writer (see http.h).
 *
 * Grammar followed (RFC 9112 sections 2-6, RFC 9110 section 5.6):
 *
 *   request      = *( CRLF ) request-line *( field-line CRLF ) CRLF [ body ]
 *   request-line = method SP request-target SP "HTTP/" DIGIT "." DIGIT CRLF
 *   field-line   = field-name ":" OWS field-value OWS
 *
 * A bare LF is accepted wherever CRLF is (RFC 9112 section 2.2 allows it);
 * a CR not followed by LF is not. Deliberately rejected with 400: whitespace
 * between a field name and its colon and obs-fold line continuations (both
 * smuggling vectors, RFC 9112 sections 5.1 and 5.2), control characters in
 * values, a missing or repeated Host in HTTP/1.1 (section 3.2), conflicting
 * Content-Length values and Content-Length together with Transfer-Encoding
 * (section 6.3).
 */
#include <string.h>

#include "http.h"

/* Parser states. */
enum {
	ST_START,     /* before the request line: skipping empty lines */
	ST_METHOD,    /* method token */
	ST_TARGET,    /* request target */
	ST_VERSION,   /* "HTTP/" DIGIT "." DIGIT, then CR or LF */
	ST_RL_LF,     /* CR seen at the end of the request line */
	ST_HDR_START, /* first byte of a field line, or of the blank line */
	ST_HDR_NAME,  /* field name */
	ST_HDR_OWS,   /* whitespace after the colon */
	ST_HDR_VALUE, /* field value */
	ST_HDR_LF,    /* CR seen at the end of a field line */
	ST_END_LF,    /* CR seen on the blank line */
	ST_BODY,      /* skipping Content-Length bytes */
	ST_DONE,      /* a complete request in p->req */
	ST_ERROR,     /* malformed; p->error says how to answer */
};

/* Fields we look at. */
enum {
	HDR_OTHER,
	HDR_CONNECTION,
	HDR_CONTENT_LENGTH,
	HDR_TRANSFER_ENCODING,
	HDR_HOST,
};

/*
 * Matching the target against "/bytes/" DIGITS [ "?" anything ]: p->target
 * counts the prefix bytes matched (0..7), then moves to one of these.
 */
#define BYTES_PREFIX	 "/bytes/"
#define BYTES_PREFIX_LEN 7
enum {
	TGT_DIGITS = BYTES_PREFIX_LEN + 1, /* one or more digits of N */
	TGT_QUERY,			   /* N complete, query string follows */
	TGT_OTHER,			   /* some other target */
};

/* Content-Length value: nothing yet, digits, trailing whitespace. */
enum { CL_EMPTY, CL_DIGITS, CL_TRAILING };

/* A token longer than http_parser::tok: it matches nothing we look for. */
#define TOK_OVERFLOW 0xff

/* tchar (RFC 9110 section 5.6.2). */
static bool
is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar / obs-text or whitespace: what a field value may hold. */
static bool
is_value_char(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static void
fail(struct http_parser *p, uint16_t status)
{
	p->state = ST_ERROR;
	p->error = status;
}

/* Append to the token buffer, lowercased when @fold; too long -> TOK_OVERFLOW. */
static void
tok_push(struct http_parser *p, uint8_t c, bool fold)
{
	if (p->tok_len == TOK_OVERFLOW)
		return;
	if (p->tok_len >= sizeof(p->tok)) {
		p->tok_len = TOK_OVERFLOW;
		return;
	}
	p->tok[p->tok_len++] = (char)(fold ? lower(c) : c);
}

static bool
tok_is(const struct http_parser *p, const char *s)
{
	size_t n = strlen(s);

	return p->tok_len == n && memcmp(p->tok, s, n) == 0;
}

void
http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = ST_START;
}

static void
method_end(struct http_parser *p)
{
	if (p->tok_len == 0) {
		fail(p, 400);
		return;
	}
	/* Methods are case-sensitive (RFC 9110 section 9.1). */
	if (tok_is(p, "GET"))
		p->req.method = HTTP_METHOD_GET;
	else if (tok_is(p, "HEAD"))
		p->req.method = HTTP_METHOD_HEAD;
	else
		p->req.method = HTTP_METHOD_OTHER;
	p->tok_len = 0;
	p->sub = 0; /* target bytes seen: none yet */
	p->state = ST_TARGET;
}

static void
target_byte(struct http_parser *p, uint8_t c)
{
	struct http_request *r = &p->req;

	p->sub = 1;
	if (p->target < BYTES_PREFIX_LEN) {
		p->target = c == (uint8_t)BYTES_PREFIX[p->target] ? p->target + 1 : TGT_OTHER;
	} else if (p->target == BYTES_PREFIX_LEN || p->target == TGT_DIGITS) {
		if (c >= '0' && c <= '9') {
			p->target = TGT_DIGITS;
			if (!r->bytes_too_big) {
				r->bytes_n = r->bytes_n * 10 + (c - '0');
				/* Checked every digit, so the product above cannot wrap. */
				if (r->bytes_n > HTTP_BYTES_MAX)
					r->bytes_too_big = true;
			}
		} else if (c == '?' && p->target == TGT_DIGITS) {
			p->target = TGT_QUERY;
		} else {
			p->target = TGT_OTHER;
		}
	}
	/* TGT_QUERY and TGT_OTHER absorb everything. */
}

static void
target_end(struct http_parser *p)
{
	struct http_request *r = &p->req;

	if (p->sub == 0) { /* empty target: two spaces after the method */
		fail(p, 400);
		return;
	}
	r->target_bytes = p->target == TGT_DIGITS || p->target == TGT_QUERY;
	if (!r->target_bytes) {
		r->bytes_n = 0;
		r->bytes_too_big = false;
	}
	p->state = ST_VERSION;
	p->sub = 0;
}

static void
version_byte(struct http_parser *p, uint8_t c)
{
	static const char prefix[] = "HTTP/";

	if (p->sub < 5) {
		if (c != (uint8_t)prefix[p->sub])
			fail(p, 400);
		else
			p->sub++;
	} else if (p->sub == 5) { /* major */
		if (c < '0' || c > '9')
			fail(p, 400);
		else if (c != '1')
			fail(p, 505);
		else
			p->sub++;
	} else if (p->sub == 6) {
		if (c != '.')
			fail(p, 400);
		else
			p->sub++;
	} else if (p->sub == 7) { /* minor */
		if (c < '0' || c > '9') {
			fail(p, 400);
		} else {
			p->req.version_minor = c - '0';
			p->sub++;
		}
	} else if (c == '\r') {
		p->state = ST_RL_LF;
	} else if (c == '\n') {
		p->state = ST_HDR_START;
	} else {
		fail(p, 400);
	}
}

/* End of a field name (at the colon): which field is it? */
static void
name_end(struct http_parser *p)
{
	if (p->tok_len == 0) {
		fail(p, 400);
		return;
	}
	if (tok_is(p, "connection"))
		p->hdr = HDR_CONNECTION;
	else if (tok_is(p, "content-length"))
		p->hdr = HDR_CONTENT_LENGTH;
	else if (tok_is(p, "transfer-encoding"))
		p->hdr = HDR_TRANSFER_ENCODING;
	else if (tok_is(p, "host"))
		p->hdr = HDR_HOST;
	else
		p->hdr = HDR_OTHER;
	p->tok_len = 0;
	p->cl_state = CL_EMPTY;
	p->cl_value = 0;
	switch (p->hdr) {
	case HDR_HOST:
		p->host_count++;
		break;
	case HDR_TRANSFER_ENCODING:
		p->has_te = true;
		break;
	default:
		break;
	}
	p->state = ST_HDR_OWS;
}

/* One Connection option complete (at a comma, whitespace or the line end). */
static void
connection_token_end(struct http_parser *p)
{
	if (tok_is(p, "close"))
		p->conn_close = true;
	else if (tok_is(p, "keep-alive"))
		p->conn_keep = true;
	p->tok_len = 0;
}

static void
value_byte(struct http_parser *p, uint8_t c)
{
	switch (p->hdr) {
	case HDR_CONNECTION:
		if (is_tchar(c))
			tok_push(p, c, true);
		else
			connection_token_end(p); /* ',', whitespace, or junk ending a token */
		break;
	case HDR_CONTENT_LENGTH:
		if (c >= '0' && c <= '9' && p->cl_state != CL_TRAILING) {
			/* 2^62 bytes is past any body; the bound keeps the product exact. */
			if (p->cl_value > (UINT64_C(1) << 62) / 10) {
				fail(p, 400);
				return;
			}
			p->cl_value = p->cl_value * 10 + (c - '0');
			p->cl_state = CL_DIGITS;
		} else if ((c == ' ' || c == '\t') && p->cl_state != CL_EMPTY) {
			p->cl_state = CL_TRAILING;
		} else {
			fail(p, 400); /* signs, lists ("5, 5"), anything but digits */
		}
		break;
	default:
		break;
	}
}

static void
field_line_end(struct http_parser *p)
{
	switch (p->hdr) {
	case HDR_CONNECTION:
		connection_token_end(p);
		break;
	case HDR_CONTENT_LENGTH:
		if (p->cl_state == CL_EMPTY ||
		    (p->has_cl && p->req.content_length != p->cl_value)) {
			fail(p, 400);
			return;
		}
		p->has_cl = true;
		p->req.content_length = p->cl_value;
		break;
	default:
		break;
	}
	p->hdr = HDR_OTHER;
	p->state = ST_HDR_START;
}

/* The blank line: validate the head as a whole and decide on the body. */
static void
head_end(struct http_parser *p)
{
	struct http_request *r = &p->req;

	if (p->has_te) {
		/* Chunked request bodies are not supported; with CL it is smuggling. */
		fail(p, p->has_cl ? 400 : 501);
		return;
	}
	if (p->host_count > 1 || (r->version_minor >= 1 && p->host_count == 0)) {
		fail(p, 400);
		return;
	}
	/* RFC 9112 section 9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
	if (r->version_minor >= 1)
		r->keep_alive = !p->conn_close;
	else
		r->keep_alive = p->conn_keep && !p->conn_close;
	p->body_left = r->content_length;
	p->state = p->body_left != 0 ? ST_BODY : ST_DONE;
}

/* One byte of the head (everything before the body). */
static void
head_byte(struct http_parser *p, uint8_t c)
{
	switch (p->state) {
	case ST_START:
		if (p->sub == 1) { /* CR seen */
			if (c != '\n')
				fail(p, 400);
			p->sub = 0;
		} else if (c == '\r') {
			p->sub = 1;
		} else if (c != '\n') {
			p->state = ST_METHOD;
			p->line_len = 0;
			head_byte(p, c);
		}
		return;
	default:
		break;
	}

	/* Bytes of the request line count against its own limit. */
	if (p->state <= ST_RL_LF && ++p->line_len > HTTP_MAX_REQUEST_LINE) {
		fail(p, p->state == ST_TARGET ? 414 : 400);
		return;
	}

	switch (p->state) {
	case ST_METHOD:
		if (c == ' ')
			method_end(p);
		else if (is_tchar(c))
			tok_push(p, c, false);
		else
			fail(p, 400);
		break;
	case ST_TARGET:
		if (c == ' ')
			target_end(p);
		else if (c > 0x20 && c < 0x7f)
			target_byte(p, c);
		else
			fail(p, 400);
		break;
	case ST_VERSION:
		version_byte(p, c);
		break;
	case ST_RL_LF:
	case ST_HDR_LF:
		if (c != '\n') {
			fail(p, 400);
		} else if (p->state == ST_RL_LF) {
			p->state = ST_HDR_START;
		} else {
			field_line_end(p);
		}
		break;
	case ST_HDR_START:
		if (c == '\r') {
			p->state = ST_END_LF;
		} else if (c == '\n') {
			head_end(p);
		} else if (is_tchar(c)) {
			p->tok_len = 0;
			tok_push(p, c, true);
			p->state = ST_HDR_NAME;
		} else {
			fail(p, 400); /* obs-fold, or junk where a field name belongs */
		}
		break;
	case ST_HDR_NAME:
		if (c == ':')
			name_end(p);
		else if (is_tchar(c))
			tok_push(p, c, true);
		else
			fail(p, 400); /* includes whitespace before the colon */
		break;
	case ST_HDR_OWS:
		if (c == ' ' || c == '\t')
			break;
		p->state = ST_HDR_VALUE;
		/* fall through */
	case ST_HDR_VALUE:
		if (c == '\r')
			p->state = ST_HDR_LF;
		else if (c == '\n')
			field_line_end(p);
		else if (is_value_char(c))
			value_byte(p, c);
		else
			fail(p, 400);
		break;
	case ST_END_LF:
		if (c != '\n')
			fail(p, 400);
		else
			head_end(p);
		break;
	default:
		fail(p, 400);
		break;
	}
}

enum http_parse_result
http_parse(struct http_parser *p, const uint8_t *buf, size_t len, size_t *consumed)
{
	size_t i = 0;

	while (i < len && p->state != ST_DONE && p->state != ST_ERROR) {
		if (p->state == ST_BODY) {
			size_t n = len - i;

			if (n > p->body_left)
				n = (size_t)p->body_left;
			i += n;
			p->body_left -= n;
			if (p->body_left == 0)
				p->state = ST_DONE;
			continue;
		}
		if (++p->head_len > HTTP_MAX_HEAD) {
			fail(p, 431);
			break;
		}
		head_byte(p, buf[i++]);
	}
	*consumed = i;
	if (p->state == ST_DONE)
		return HTTP_PARSE_DONE;
	if (p->state == ST_ERROR)
		return HTTP_PARSE_ERROR;
	return HTTP_PARSE_AGAIN;
}

void
http_route(const struct http_request *req, struct http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->keep_alive = req->keep_alive;
	/* 1.1 clients assume persistence; 1.0 clients need to be told. */
	resp->keep_alive_header = req->keep_alive && req->version_minor == 0;
	resp->head_only = req->method == HTTP_METHOD_HEAD;
	resp->body = HTTP_BODY_TEXT;
	if (req->method == HTTP_METHOD_OTHER) {
		resp->status = 405;
		resp->text = "method not allowed\n";
		resp->head_only = false;
	} else if (req->target_bytes && req->bytes_too_big) {
		resp->status = 400;
		resp->text = "dtcp: /bytes/N: N too large\n";
	} else if (req->target_bytes) {
		resp->status = 200;
		resp->body = HTTP_BODY_PATTERN;
		resp->content_length = req->bytes_n;
		return;
	} else {
		resp->status = 200;
		resp->text = "dtcp\n";
	}
	resp->content_length = strlen(resp->text);
}

void
http_route_error(uint16_t status, struct http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = status;
	resp->body = HTTP_BODY_TEXT;
	switch (status) {
	case 414:
		resp->text = "request line too long\n";
		break;
	case 431:
		resp->text = "request head too large\n";
		break;
	case 501:
		resp->text = "transfer-encoding not supported\n";
		break;
	case 505:
		resp->text = "HTTP/1.x only\n";
		break;
	default:
		resp->status = 400;
		resp->text = "bad request\n";
		break;
	}
	resp->content_length = strlen(resp->text);
}

static const char *
reason_phrase(uint16_t status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

/* Bounded append for http_format_head(); on overflow *pos goes past size. */
static void
put(char *buf, size_t size, size_t *pos, const char *s, size_t n)
{
	if (*pos + n <= size)
		memcpy(buf + *pos, s, n);
	*pos += n;
}

static void
put_str(char *buf, size_t size, size_t *pos, const char *s)
{
	put(buf, size, pos, s, strlen(s));
}

static void
put_u64(char *buf, size_t size, size_t *pos, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(buf, size, pos, digits + sizeof(digits) - n, n);
}

size_t
http_format_head(char *buf, size_t size, const struct http_response *resp, const char *date)
{
	size_t pos = 0;

	put_str(buf, size, &pos, "HTTP/1.1 ");
	put_u64(buf, size, &pos, resp->status);
	put_str(buf, size, &pos, " ");
	put_str(buf, size, &pos, reason_phrase(resp->status));
	put_str(buf, size, &pos, "\r\nServer: dtcp\r\n");
	if (date != NULL) {
		put_str(buf, size, &pos, "Date: ");
		put_str(buf, size, &pos, date);
		put_str(buf, size, &pos, "\r\n");
	}
	put_str(buf, size, &pos,
		resp->body == HTTP_BODY_PATTERN ? "Content-Type: application/octet-stream\r\n"
						: "Content-Type: text/plain\r\n");
	put_str(buf, size, &pos, "Content-Length: ");
	put_u64(buf, size, &pos, resp->content_length);
	put_str(buf, size, &pos, "\r\n");
	if (resp->status == 405)
		put_str(buf, size, &pos, "Allow: GET, HEAD\r\n");
	if (!resp->keep_alive)
		put_str(buf, size, &pos, "Connection: close\r\n");
	else if (resp->keep_alive_header)
		put_str(buf, size, &pos, "Connection: keep-alive\r\n");
	put_str(buf, size, &pos, "\r\n");
	return pos <= size ? pos : 0;
}

void
http_pattern_init(uint8_t *tab, size_t len)
{
	for (size_t i = 0; i < len; i++)
		tab[i] = (uint8_t)(i % HTTP_PATTERN_PERIOD);
}

void
http_pattern_copy(uint8_t *dst, const uint8_t *tab, size_t tab_len, uint64_t off, size_t len)
{
	size_t max = tab_len - HTTP_PATTERN_PERIOD;

	/* tab[k + j] == (k + j) mod 251, so starting at k = off mod 251 lines up with off. */
	while (len != 0) {
		size_t n = len < max ? len : max;

		memcpy(dst, tab + off % HTTP_PATTERN_PERIOD, n);
		dst += n;
		off += n;
		len -= n;
	}
}
