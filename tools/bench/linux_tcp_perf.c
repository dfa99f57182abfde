/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-bench-linux-perf: dtcp-perf's connect, crr and rr tests on Linux sockets,
 * for the Linux side of tools/bench/tcp.
 *
 *   dtcp-bench-linux-perf --server IP:PORT --test connect|crr|rr [--duration S]
 *       [--concurrency C] [--size B] [--count N] [--verify] [--json] [--addr A.B.C.D[/N]]
 *       [--spin]
 *
 * Same command line (parsed by dtcp-perf's own perf_args.c, minus the EAL part),
 * same transaction definitions, same histogram (perf_hist.c) and same text and JSON
 * reports (perf_report.c, "lcores" is 1: one thread) as dtcp-perf, so the two can be
 * compared key by key:
 *
 *   connect  non-blocking connect(); done when it completes; close()
 *   crr      connect, send B bytes, read B bytes back, close(); latency from the
 *            connect() call to the last byte read
 *   rr       C long-lived connections, each: send B bytes, read B back, repeat;
 *            latency from the first send() to the last byte read
 *
 * One thread, one level-triggered epoll set, every socket non-blocking with
 * TCP_NODELAY. The clock is CLOCK_MONOTONIC in nanoseconds. --spin polls
 * epoll_wait() with a zero timeout instead of sleeping in it (the closest a
 * Linux program gets to dtcp's busy-polling loop). --addr binds the source
 * address (its /N is ignored). --http, --stats, --config, --gateway and --test
 * stream are dtcp-perf's only and refused.
 *
 * Prints "dtcp-bench-linux-perf: ready" (on stderr with --json), the report at the
 * end; exit 0 no errors, 1 errors or nothing measured, 2 usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>

#include "perf_args.h"
#include "perf_hist.h"
#include "perf_pattern.h"
#include "perf_report.h"

#define PROG		"dtcp-bench-linux-perf"
#define EXIT_USAGE	2
#define EVENT_BURST	256
#define IO_BUF		(64u << 10)
#define OPEN_BURST	64
#define BACKOFF_NS	1000000ull /* after a failed connect(): 1 ms, as dtcp-perf */
#define NS_PER_S	1000000000ull

enum phase { SLOT_FREE = 0, SLOT_CONNECTING, SLOT_ESTABLISHED };

struct slot {
	int fd; /* -1 while free */
	uint32_t idx;
	uint8_t phase;
	bool in_tx;	  /* a transaction started and not yet finished */
	bool want_out;	  /* EPOLLOUT is in the interest set */
	uint64_t t0;	  /* ns, start of the transaction */
	uint64_t tx_off;  /* stream bytes sent */
	uint64_t tx_left; /* bytes of the current request not sent yet */
	uint64_t rx_off;  /* stream bytes received */
	uint64_t rx_want; /* rx_off that completes the current response */
};

struct run {
	const struct perf_args *a;
	struct sockaddr_in server, local;
	bool bind_local;
	bool spin;
	int ep;
	struct slot *slots;
	uint32_t *free;
	uint32_t nb_free;
	uint64_t inflight;
	uint64_t started, finished, transactions, connections;
	uint64_t bytes_sent, bytes_received;
	uint64_t errors[PERF_ERRNO_MAX];
	uint64_t connect_after;
	bool warm; /* as dtcp-perf: one connection until the first handshake ends */
	bool draining;
	uint64_t start_ns, deadline_ns, end_ns;
	struct perf_hist hist;
	uint8_t pattern[PERF_PATTERN_TABLE];
	uint8_t buf[IO_BUF];
};

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void
count_error(struct run *r, int err)
{
	r->errors[err > 0 && err < PERF_ERRNO_MAX ? err : 0]++;
}

static bool
can_start(const struct run *r)
{
	return !r->draining && (r->a->count == 0 || r->started < r->a->count);
}

/* Close the socket (abortively with @p reset: SO_LINGER 0 sends a RST) and free the slot. */
static void
slot_release(struct run *r, struct slot *s, bool reset)
{
	if (reset) {
		struct linger l = {.l_onoff = 1, .l_linger = 0};

		(void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(s->fd); /* also leaves the epoll set */
	s->fd = -1;
	s->phase = SLOT_FREE;
	s->in_tx = false;
	s->want_out = false;
	r->inflight--;
	r->free[r->nb_free++] = s->idx;
}

static void
slot_fail(struct run *r, struct slot *s, int err, bool reset)
{
	count_error(r, err);
	if (s->in_tx)
		r->finished++;
	slot_release(r, s, reset);
}

static void
tx_success(struct run *r, struct slot *s)
{
	perf_hist_record(&r->hist, now_ns() - s->t0);
	r->transactions++;
	r->finished++;
	s->in_tx = false;
}

static int
set_out(struct run *r, struct slot *s, bool out)
{
	struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.ptr = s};

	if (s->want_out == out)
		return 0;
	s->want_out = out;
	return epoll_ctl(r->ep, EPOLL_CTL_MOD, s->fd, &ev) == 0 ? 0 : errno;
}

static void
slot_open(struct run *r, struct slot *s)
{
	const struct perf_args *a = r->a;
	bool is_tx = a->test == PERF_TEST_CONNECT || a->test == PERF_TEST_CRR;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = s};
	uint64_t now = now_ns(); /* the transaction starts with socket() */
	int one = 1, fd, err = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
	} else {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (r->bind_local && bind(fd, (struct sockaddr *)&r->local, sizeof(r->local)) != 0)
			err = errno;
		else if (connect(fd, (struct sockaddr *)&r->server, sizeof(r->server)) != 0 &&
			 errno != EINPROGRESS)
			err = errno;
		else if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			err = errno;
	}
	if (err != 0) {
		if (fd >= 0)
			close(fd);
		count_error(r, err);
		if (is_tx) {
			r->started++;
			r->finished++;
		}
		r->connect_after = now + BACKOFF_NS;
		r->free[r->nb_free++] = s->idx;
		return;
	}
	s->fd = fd;
	s->phase = SLOT_CONNECTING;
	s->want_out = true;
	s->in_tx = is_tx;
	if (is_tx)
		r->started++;
	s->t0 = now;
	s->tx_off = s->tx_left = s->rx_off = s->rx_want = 0;
	r->inflight++;
}

/* Send what is left of the request; EPOLLOUT while the socket buffer is full. */
static void
tx_push(struct run *r, struct slot *s)
{
	while (s->tx_left > 0) {
		size_t n = s->tx_left < IO_BUF ? (size_t)s->tx_left : IO_BUF;
		ssize_t w;

		perf_pattern_fill(r->pattern, s->tx_off, r->buf, n);
		w = send(s->fd, r->buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			if (err == EAGAIN || err == EWOULDBLOCK) {
				err = set_out(r, s, true);
				if (err != 0)
					slot_fail(r, s, err, true);
				return;
			}
			slot_fail(r, s, err, true);
			return;
		}
		s->tx_off += (uint64_t)w;
		s->tx_left -= (uint64_t)w;
		r->bytes_sent += (uint64_t)w;
	}
	if (s->want_out) {
		int err = set_out(r, s, false);

		if (err != 0)
			slot_fail(r, s, err, true);
	}
}

static void
rr_next(struct run *r, struct slot *s)
{
	if (!can_start(r)) {
		slot_release(r, s, false);
		return;
	}
	r->started++;
	s->in_tx = true;
	s->t0 = now_ns();
	s->tx_left = r->a->size;
	s->rx_want = s->rx_off + r->a->size;
	tx_push(r, s);
}

static void
on_connected(struct run *r, struct slot *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	r->warm = true;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		slot_fail(r, s, err, false);
		return;
	}
	r->connections++;
	s->phase = SLOT_ESTABLISHED;
	switch (r->a->test) {
	case PERF_TEST_CONNECT:
		tx_success(r, s);
		slot_release(r, s, false);
		break;
	case PERF_TEST_CRR:
		s->tx_left = r->a->size;
		s->rx_want = r->a->size;
		tx_push(r, s);
		break;
	default: /* rr */
		rr_next(r, s);
		break;
	}
}

static void
on_readable(struct run *r, struct slot *s)
{
	const struct perf_args *a = r->a;

	for (;;) {
		ssize_t n = recv(s->fd, r->buf, IO_BUF, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			slot_fail(r, s, errno, false);
			return;
		}
		if (n == 0) {
			/* The peer closing first cuts a transaction short. */
			slot_fail(r, s, ECONNABORTED, true);
			return;
		}
		r->bytes_received += (uint64_t)n;
		if (a->test == PERF_TEST_CONNECT)
			continue; /* whatever a server volunteers */
		if (s->rx_off + (uint64_t)n > s->rx_want) {
			slot_fail(r, s, EPROTO, true); /* an echo never returns more than was sent */
			return;
		}
		if (a->verify &&
		    perf_pattern_check(r->pattern, s->rx_off, r->buf, (size_t)n) != (size_t)n) {
			slot_fail(r, s, EBADMSG, true);
			return;
		}
		s->rx_off += (uint64_t)n;
		if (!s->in_tx || s->rx_off != s->rx_want)
			continue;
		tx_success(r, s);
		if (a->test == PERF_TEST_CRR) {
			slot_release(r, s, false);
			return;
		}
		rr_next(r, s);
		if (s->fd < 0)
			return;
	}
}

static void
on_event(struct run *r, struct slot *s, uint32_t events)
{
	if (s->fd < 0)
		return;
	if (s->phase == SLOT_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		on_connected(r, s);
		if (s->fd < 0)
			return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		on_readable(r, s);
		if (s->fd < 0)
			return;
	}
	if ((events & EPOLLOUT) && s->want_out)
		tx_push(r, s);
}

/* Stop measuring: close everything (handshakes in progress abortively, as dtcp-perf). */
static void
drain(struct run *r, uint64_t now)
{
	r->draining = true;
	r->end_ns = now;
	for (uint32_t i = 0; i < r->a->concurrency; i++) {
		struct slot *s = &r->slots[i];

		if (s->fd < 0)
			continue;
		s->in_tx = false; /* cut off: neither a success nor an error */
		slot_release(r, s, s->phase != SLOT_ESTABLISHED);
	}
}

static void
refill(struct run *r, uint64_t now)
{
	for (unsigned int opened = 0; opened < OPEN_BURST && r->nb_free > 0; opened++) {
		if (now < r->connect_after || (!r->warm && r->inflight > 0))
			return;
		if (!can_start(r))
			return;
		slot_open(r, &r->slots[r->free[--r->nb_free]]);
	}
}

static int
loop(struct run *r)
{
	struct epoll_event ev[EVENT_BURST];

	r->start_ns = now_ns();
	r->deadline_ns = r->start_ns + (uint64_t)r->a->duration_s * NS_PER_S;
	refill(r, r->start_ns);
	for (;;) {
		uint64_t now = now_ns();
		int timeout = 0, n;

		if (stop_requested || now >= r->deadline_ns ||
		    (r->a->count != 0 && r->finished >= r->a->count)) {
			drain(r, now);
			return 0;
		}
		if (!r->spin) {
			/* Wake up for the deadline or the connect back-off, whichever is first. */
			uint64_t until = r->deadline_ns;

			if (r->nb_free > 0 && r->connect_after > now && r->connect_after < until)
				until = r->connect_after;
			timeout = (int)((until - now + 999999) / 1000000);
		}
		n = epoll_wait(r->ep, ev, EVENT_BURST, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror(PROG ": epoll_wait");
			return -1;
		}
		for (int i = 0; i < n; i++)
			on_event(r, ev[i].data.ptr, ev[i].events);
		refill(r, now_ns());
	}
}

static int
check_args(const struct perf_args *a, char *err, size_t len)
{
	if (a->test == PERF_TEST_STREAM)
		snprintf(err, len, "--test stream is dtcp-perf's only (connect, crr, rr here)");
	else if (a->http_path != NULL)
		snprintf(err, len, "--http is dtcp-perf's only");
	else if (a->config != NULL || a->gateway != NULL)
		snprintf(err, len, "--config and --gateway configure dtcp; Linux routes itself");
	else if (a->stats)
		snprintf(err, len, "--stats prints dtcp's counters; see nstat for Linux's");
	else
		return 0;
	return -1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct perf_result res;
	struct perf_args a;
	struct run *r;
	char err[256];
	int spin_argc = argc, status;
	bool spin = false;

	/* --spin is ours; everything else goes to dtcp-perf's parser. */
	for (int i = 1; i < spin_argc; i++) {
		if (strcmp(argv[i], "--spin") == 0) {
			spin = true;
			memmove(&argv[i], &argv[i + 1], (size_t)(spin_argc - i) * sizeof(argv[0]));
			spin_argc--;
			i--;
		}
	}
	switch (perf_args_parse(spin_argc, argv, &a, err, sizeof(err))) {
	case PERF_ARGS_OK:
		break;
	case PERF_ARGS_HELP:
		printf("usage: %s --server IP:PORT --test connect|crr|rr [--duration S]\n"
		       "         [--concurrency C] [--size B] [--count N] [--verify] [--json]\n"
		       "         [--addr A.B.C.D[/N]] [--spin]\n"
		       "dtcp-perf's options and reports on Linux sockets (one thread, epoll);\n"
		       "--spin: epoll_wait() with a zero timeout (busy poll). dtcp-perf's help:\n\n",
		       argv[0]);
		perf_args_usage(stdout, "dtcp-perf");
		return EXIT_SUCCESS;
	default:
		fprintf(stderr, PROG ": %s (--help for usage)\n", err);
		return EXIT_USAGE;
	}
	if (check_args(&a, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_USAGE;
	}

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_FAILURE;
	}
	r->a = &a;
	r->spin = spin;
	r->server.sin_family = AF_INET;
	r->server.sin_addr.s_addr = a.server_addr;
	r->server.sin_port = htons(a.server_port);
	if (a.addr != NULL) {
		char ip[INET_ADDRSTRLEN];
		size_t n = strcspn(a.addr, "/");

		if (n >= sizeof(ip)) {
			fprintf(stderr, PROG ": --addr '%s': expected A.B.C.D[/N]\n", a.addr);
			free(r);
			return EXIT_USAGE;
		}
		memcpy(ip, a.addr, n);
		ip[n] = '\0';
		r->local.sin_family = AF_INET;
		if (inet_pton(AF_INET, ip, &r->local.sin_addr) != 1) {
			fprintf(stderr, PROG ": --addr '%s': expected A.B.C.D[/N]\n", a.addr);
			free(r);
			return EXIT_USAGE;
		}
		r->bind_local = true;
	}
	r->slots = calloc(a.concurrency, sizeof(*r->slots));
	r->free = calloc(a.concurrency, sizeof(*r->free));
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->slots == NULL || r->free == NULL || r->ep < 0) {
		fprintf(stderr, PROG ": cannot set up: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	for (uint32_t i = 0; i < a.concurrency; i++) {
		r->slots[i].fd = -1;
		r->slots[i].idx = i;
		r->free[i] = a.concurrency - 1 - i; /* popped from the end: slot 0 first */
	}
	r->nb_free = a.concurrency;
	perf_hist_init(&r->hist);
	perf_pattern_init(r->pattern);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fprintf(a.json ? stderr : stdout, PROG ": ready\n");
	fflush(a.json ? stderr : stdout);

	if (loop(r) != 0)
		return EXIT_FAILURE;

	memset(&res, 0, sizeof(res));
	res.test = a.test;
	res.server_addr = a.server_addr;
	res.server_port = a.server_port;
	res.lcores = 1;
	res.concurrency = a.concurrency;
	res.size = a.size;
	res.elapsed_s = (double)(r->end_ns - r->start_ns) / 1e9;
	res.interrupted = stop_requested != 0;
	res.transactions = r->transactions;
	res.connections = r->connections;
	res.bytes_sent = r->bytes_sent;
	res.bytes_received = r->bytes_received;
	memcpy(res.errors, r->errors, sizeof(res.errors));
	res.latency = &r->hist;
	res.ticks_per_us = 1000.0; /* ns */
	if (a.json)
		perf_report_json(stdout, &res);
	else
		perf_report_text(stdout, &res);
	fflush(stdout);

	status = EXIT_SUCCESS;
	if (perf_result_errors(&res) != 0)
		status = EXIT_FAILURE;
	else if (res.transactions == 0) {
		fprintf(stderr, PROG ": nothing measured\n");
		status = EXIT_FAILURE;
	}
	close(r->ep);
	free(r->slots);
	free(r->free);
	free(r);
	return status;
}
