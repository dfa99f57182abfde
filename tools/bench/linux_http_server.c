/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-bench-linux-http: the Linux counterpart of `dtcp-server --mode http` for
 * tools/bench/synflood.
 *
 *   dtcp-bench-linux-http --listen PORT [--addr A.B.C.D] [--backlog N]
 *
 * It compiles in dtcp-server's own HTTP/1.1 parser, router and response-head
 * writer (app/dtcp-server/http.c), so every answer is byte for byte what
 * dtcp-server sends, Date header included: `GET /bytes/N` is N bytes where
 * byte i is i mod 251, any other path "dtcp\n", errors as http.c decides.
 * Requests are answered one at a time in order (keep-alive, pipelining); after
 * a response that does not keep the connection, the write side is shut down and
 * input is drained until the peer's FIN, as dtcp-server lingers.
 *
 * One thread, one level-triggered epoll set, non-blocking sockets, TCP_NODELAY;
 * a response's head and (the start of) its body leave in one writev(). The
 * listen backlog defaults to 4096, what a typical server asks for (the kernel
 * caps it at net.core.somaxconn, 4096 by default since Linux 5.4).
 *
 * Prints "dtcp-bench-linux-http: ready" once listening; SIGINT/SIGTERM stop it,
 * print its counters ("name value" lines, dtcp-server's names) and exit 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

#define PROG	    "dtcp-bench-linux-http"
#define EVENT_BURST 256
#define IN_BUF	    (16u << 10)
#define BODY_CHUNK  (64u << 10)

struct conn {
	int fd;
	bool want_out;		  /* waiting for EPOLLOUT (reading paused) */
	bool in_response;	  /* resp is being written */
	bool linger;		  /* response done, write side shut: drain until FIN */
	struct http_parser parser;
	struct http_response resp;
	char head[HTTP_HEAD_MAX];
	size_t head_len, head_off; /* head bytes, and how many are sent */
	uint64_t body_off;	  /* body bytes sent */
	size_t in_off, in_len;	  /* unparsed input in in[] */
	uint8_t in[IN_BUF];
};

static volatile sig_atomic_t stop_requested;
static int listen_fd = -1; /* epoll data.ptr NULL marks it */

static struct {
	uint64_t accepted, released, error, accept_errors, requests, errors, bad_requests;
	uint64_t bytes_received, bytes_sent;
} ctr;

static uint8_t pattern[HTTP_PATTERN_PERIOD + BODY_CHUNK];
static char date[40];
static time_t date_sec;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The Date header, as dtcp-server writes it (refreshed once a second). */
static const char *
http_date(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != date_sec && gmtime_r(&now, &tm) != NULL) {
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		date_sec = now;
	}
	return date[0] != '\0' ? date : NULL;
}

static void
conn_close(struct conn *c, bool error)
{
	close(c->fd);
	free(c);
	if (error)
		ctr.error++;
	ctr.released++;
}

static int
set_events(int ep, struct conn *c, bool out)
{
	struct epoll_event ev = {.events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c};

	if (c->want_out == out)
		return 0;
	c->want_out = out;
	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static uint64_t
body_len(const struct http_response *r)
{
	return r->head_only ? 0 : r->content_length;
}

static void
response_start(struct conn *c, const struct http_response *resp)
{
	c->resp = *resp;
	c->head_len = http_format_head(c->head, sizeof(c->head), resp, http_date());
	c->head_off = 0;
	c->body_off = 0;
	c->in_response = true;
	ctr.requests++;
	if (resp->status >= 400)
		ctr.errors++;
}

/* Write the rest of the response: 0 when all sent, 1 when the socket is full, -1 on error. */
static int
response_push(struct conn *c)
{
	uint64_t blen = body_len(&c->resp);

	while (c->head_off < c->head_len || c->body_off < blen) {
		struct iovec iov[2];
		int n = 0;
		ssize_t w;

		if (c->head_off < c->head_len)
			iov[n++] = (struct iovec){c->head + c->head_off, c->head_len - c->head_off};
		if (c->body_off < blen) {
			uint64_t left = blen - c->body_off;
			size_t len = left < BODY_CHUNK ? (size_t)left : BODY_CHUNK;

			if (c->resp.body == HTTP_BODY_PATTERN)
				iov[n++] = (struct iovec){
					pattern + c->body_off % HTTP_PATTERN_PERIOD, len};
			else
				iov[n++] = (struct iovec){(char *)c->resp.text + c->body_off, len};
		}
		w = sendmsg(c->fd, &(struct msghdr){.msg_iov = iov, .msg_iovlen = (size_t)n},
			    MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
		}
		ctr.bytes_sent += (uint64_t)w;
		if (c->head_off < c->head_len) {
			size_t h = c->head_len - c->head_off;

			if ((size_t)w <= h) {
				c->head_off += (size_t)w;
				continue;
			}
			c->head_off = c->head_len;
			w -= (ssize_t)h;
		}
		c->body_off += (uint64_t)w;
	}
	return 0;
}

/* Read more input into c->in: 1 with bytes, 0 when nothing is waiting, -1 closed/error. */
static int
conn_read(struct conn *c, bool *error)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			*error = n < 0;
			return -1;
		}
		ctr.bytes_received += (uint64_t)n;
		c->in_off = 0;
		c->in_len = (size_t)n;
		return 1;
	}
}

/* One response at a time, in request order (dtcp-server's http_run()). */
static void
conn_run(int ep, struct conn *c)
{
	bool error = false;

	for (;;) {
		struct http_response resp;
		enum http_parse_result res;
		size_t used;
		int r;

		if (c->in_response) {
			r = response_push(c);
			if (r < 0)
				goto close_error;
			if (r > 0) {
				if (set_events(ep, c, true) != 0)
					goto close_error;
				return;
			}
			c->in_response = false;
			if (!c->resp.keep_alive) {
				/* Linger: drop input until the peer's FIN, so that unread
				 * input never turns our close into a reset. */
				shutdown(c->fd, SHUT_WR);
				c->linger = true;
				c->in_off = c->in_len = 0;
			}
		}
		if (set_events(ep, c, false) != 0)
			goto close_error;
		if (c->in_off == c->in_len) {
			r = conn_read(c, &error);
			if (r == 0)
				return;
			if (r < 0) {
				/* EOF: a request cut short by the FIN gets no answer. */
				conn_close(c, error);
				return;
			}
		}
		if (c->linger) {
			c->in_off = c->in_len;
			continue;
		}
		res = http_parse(&c->parser, c->in + c->in_off, c->in_len - c->in_off, &used);
		c->in_off += used;
		if (res == HTTP_PARSE_DONE) {
			http_route(&c->parser.req, &resp);
		} else if (res == HTTP_PARSE_ERROR) {
			ctr.bad_requests++;
			http_route_error(c->parser.error, &resp);
		} else {
			continue;
		}
		http_parser_init(&c->parser);
		response_start(c, &resp);
	}
close_error:
	conn_close(c, true);
}

static void
on_accept(int ep)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct epoll_event ev = {.events = EPOLLIN};
		struct conn *c;

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ctr.accept_errors++;
			return;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = malloc(sizeof(*c));
		if (c == NULL) {
			close(fd);
			ctr.accept_errors++;
			continue;
		}
		memset(c, 0, offsetof(struct conn, in));
		c->fd = fd;
		http_parser_init(&c->parser);
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			ctr.accept_errors++;
			continue;
		}
		ctr.accepted++;
	}
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s --listen PORT [--addr A.B.C.D] [--backlog N]\n"
		"  epoll HTTP/1.1 server answering as dtcp-server --mode http (one thread);\n"
		"  counters on SIGINT/SIGTERM\n",
		prog);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
	struct epoll_event evs[EVENT_BURST], lev = {.events = EPOLLIN, .data.ptr = NULL};
	struct sigaction sa = {.sa_handler = on_signal};
	long port = 0, backlog = 4096;
	int ep, one = 1;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout, argv[0]);
			return 0;
		} else if (strcmp(argv[i], "--listen") == 0 && v != NULL) {
			port = strtol(v, &end, 10);
			if (*end != '\0' || port < 1 || port > 65535)
				goto bad;
			i++;
		} else if (strcmp(argv[i], "--backlog") == 0 && v != NULL) {
			backlog = strtol(v, &end, 10);
			if (*end != '\0' || backlog < 1 || backlog > 1000000)
				goto bad;
			i++;
		} else if (strcmp(argv[i], "--addr") == 0 && v != NULL) {
			if (inet_pton(AF_INET, v, &sin.sin_addr) != 1)
				goto bad;
			i++;
		} else {
			goto bad;
		}
	}
	if (port == 0)
		goto bad;
	sin.sin_port = htons((uint16_t)port);
	http_pattern_init(pattern, sizeof(pattern));

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (listen_fd < 0 || ep < 0 ||
	    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(listen_fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(listen_fd, (int)backlog) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &lev) != 0) {
		fprintf(stderr, PROG ": cannot listen on port %ld: %s\n", port, strerror(errno));
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf(PROG ": ready\n");
	fflush(stdout);

	while (!stop_requested) {
		int n = epoll_wait(ep, evs, EVENT_BURST, 1000);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror(PROG ": epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == NULL)
				on_accept(ep);
			else
				conn_run(ep, c);
		}
	}
	/* Connections still open are left to exit(); their count shows below. */
	printf(PROG ": final counters\n");
	printf("conns_accepted %llu\nconns_released %llu\nconns_error %llu\n"
	       "accept_errors %llu\nhttp_requests %llu\nhttp_errors %llu\n"
	       "http_bad_requests %llu\nbytes_received %llu\nbytes_sent %llu\n",
	       (unsigned long long)ctr.accepted, (unsigned long long)ctr.released,
	       (unsigned long long)ctr.error, (unsigned long long)ctr.accept_errors,
	       (unsigned long long)ctr.requests, (unsigned long long)ctr.errors,
	       (unsigned long long)ctr.bad_requests, (unsigned long long)ctr.bytes_received,
	       (unsigned long long)ctr.bytes_sent);
	return 0;
bad:
	usage(stderr, argv[0]);
	return 2;
}
