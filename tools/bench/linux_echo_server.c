/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-bench-linux-echo: the Linux counterpart of `dtcp-server --mode echo` for
 * tools/bench/tcp.
 *
 *   dtcp-bench-linux-echo --listen PORT [--addr A.B.C.D] [--backlog N] [--spin]
 *
 * One thread, one level-triggered epoll set, non-blocking sockets with
 * TCP_NODELAY (dtcp-server's echo sets NODELAY too). Every byte read is written
 * back; what the socket does not take waits in a per-connection buffer, and the
 * connection is not read again until that is flushed (EPOLLOUT). On EOF the
 * connection is closed once everything is echoed (so the client closes first, as
 * with dtcp-server). --spin polls epoll_wait() with a zero timeout instead of
 * sleeping in it.
 *
 * Prints "dtcp-bench-linux-echo: ready" once listening; SIGINT/SIGTERM stop it,
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
#include <unistd.h>

#define PROG	    "dtcp-bench-linux-echo"
#define EVENT_BURST 256
#define IO_BUF	    (64u << 10)

struct conn {
	int fd;
	bool want_out;	/* waiting for EPOLLOUT (reading paused) */
	uint8_t *pend;	/* bytes read, not yet written back */
	size_t pend_off, pend_len;
};

static volatile sig_atomic_t stop_requested;
static int listen_fd = -1; /* epoll data.ptr NULL marks it */

static struct {
	uint64_t accepted, released, error, bytes_received, bytes_sent, accept_errors;
} ctr;

static uint8_t buf[IO_BUF];

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
conn_close(struct conn *c, bool error)
{
	close(c->fd);
	free(c->pend);
	free(c);
	if (error)
		ctr.error++;
	ctr.released++;
}

static int
set_events(int ep, struct conn *c, bool out)
{
	struct epoll_event ev = {.events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c};

	c->want_out = out;
	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Write p[0..len) back; keep what the socket does not take. 0, or -1 on error. */
static int
echo(int ep, struct conn *c, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t w = send(c->fd, p, len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (c->pend == NULL) {
				c->pend = malloc(IO_BUF);
				if (c->pend == NULL)
					return -1;
			}
			memmove(c->pend, p, len); /* p may be c->pend itself */
			c->pend_off = 0;
			c->pend_len = len;
			return c->want_out ? 0 : set_events(ep, c, true);
		}
		ctr.bytes_sent += (uint64_t)w;
		p += w;
		len -= (size_t)w;
	}
	c->pend_len = 0;
	return c->want_out ? set_events(ep, c, false) : 0;
}

static void
on_readable(int ep, struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c, true);
			return;
		}
		if (n == 0) {
			conn_close(c, false);
			return;
		}
		ctr.bytes_received += (uint64_t)n;
		if (echo(ep, c, buf, (size_t)n) != 0) {
			conn_close(c, true);
			return;
		}
		if (c->want_out || (size_t)n < sizeof(buf))
			return; /* paused, or (most likely) nothing more queued */
	}
}

static void
on_writable(int ep, struct conn *c)
{
	if (echo(ep, c, c->pend + c->pend_off, c->pend_len) != 0) {
		conn_close(c, true);
		return;
	}
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
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			ctr.accept_errors++;
			continue;
		}
		c->fd = fd;
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
		"usage: %s --listen PORT [--addr A.B.C.D] [--backlog N] [--spin]\n"
		"  epoll echo server (one thread); counters on SIGINT/SIGTERM\n",
		prog);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
	struct epoll_event evs[EVENT_BURST], lev = {.events = EPOLLIN, .data.ptr = NULL};
	struct sigaction sa = {.sa_handler = on_signal};
	long port = 0, backlog = 4096;
	bool spin = false;
	int ep, one = 1;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (strcmp(argv[i], "--spin") == 0) {
			spin = true;
		} else if (strcmp(argv[i], "--help") == 0) {
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
		int n = epoll_wait(ep, evs, EVENT_BURST, spin ? 0 : 1000);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror(PROG ": epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == NULL) {
				on_accept(ep);
			} else if (c->want_out) {
				if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
					on_writable(ep, c);
			} else {
				on_readable(ep, c);
			}
		}
	}
	/* Connections still open are left to exit(); their count shows below. */
	printf(PROG ": final counters\n");
	printf("conns_accepted %llu\nconns_released %llu\nconns_error %llu\n"
	       "accept_errors %llu\nbytes_received %llu\nbytes_sent %llu\n",
	       (unsigned long long)ctr.accepted, (unsigned long long)ctr.released,
	       (unsigned long long)ctr.error, (unsigned long long)ctr.accept_errors,
	       (unsigned long long)ctr.bytes_received, (unsigned long long)ctr.bytes_sent);
	return 0;
bad:
	usage(stderr, argv[0]);
	return 2;
}
