/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netem_relay: a user-space stand-in for `tc netem` between two interfaces,
 * for kernels built without sch_netem (test_netem.py uses it only then).
 *
 *   netem_relay IF_A IF_B [--loss PCT] [--duplicate PCT] [--corrupt PCT]
 *               [--delay MS] [--jitter MS] [--reorder PCT] [--rate KBIT]
 *               [--limit N] [--seed N]
 *
 * Runs in a namespace of its own holding IF_A (a veth whose peer is the
 * stack's) and IF_B (a veth whose peer is Linux's): every frame read from one
 * is impaired and written to the other, each direction with the same settings
 * and its own state and random stream. What each setting does follows netem
 * (net/sched/sch_netem.c) with iproute2's defaults, so that a profile means
 * the same with either engine:
 *   loss       drop the frame with this probability;
 *   duplicate  send it twice;
 *   corrupt    flip one random bit, but only inside an IPv4 datagram (netem
 *              may also hit the Ethernet header or an ARP packet, which no
 *              checksum covers: here every corruption is one a checksum must
 *              catch, and "corrupted" counts exactly those);
 *   delay      hold each frame this long, +- jitter (uniform, as netem without
 *              a distribution table); frames leave in order of their due time,
 *              so jitter larger than the gap between frames reorders them;
 *   reorder    with this probability send the frame at once instead of after
 *              the delay (netem's "reorder P" with gap 1; needs a delay);
 *   rate       serialise frames at KBIT kbit/s after their delay, one after
 *              the other (netem's rate: due = max(due, link free) + len/rate);
 *   limit      frames queued per direction (netem's limit, default 1000);
 *              a frame arriving at a full queue is dropped and counted.
 *
 * Prints "ready" once both sockets are bound. SIGUSR1 prints the counters as
 * one JSON line; SIGTERM or SIGINT prints them and exits 0. Counters per
 * direction ("a2b", "b2a"): rx/tx frames and bytes, lost, duplicated,
 * corrupted, reordered (sent ahead of a frame that arrived earlier),
 * limit_drops, rx_socket_drops (the kernel's count of frames our packet
 * socket had no room for: invisible loss, reported so a test can refuse it),
 * tx_retries (the peer's backlog was full: the frame was kept and sent again
 * later), oversize (frames longer than FRAME_MAX, dropped), max_queue.
 *
 * Every wait is bounded (ppoll with at most WAIT_MAX_NS); the process runs
 * until signalled.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#define FRAME_MAX   2048
#define BURST	    64
#define ETH_HLEN_   14
#define WAIT_MAX_NS 100000000ULL /* 100 ms: signals are looked at this often */
#define RETRY_NS    50000ULL	 /* after the peer's backlog was full */
#define SOCK_BUF    (16 << 20)
#define PPM	    1000000U

struct impair_cfg {
	uint32_t loss_ppm;
	uint32_t dup_ppm;
	uint32_t corrupt_ppm;
	uint32_t reorder_ppm;
	uint64_t delay_ns;
	uint64_t jitter_ns;
	uint64_t rate_bps; /**< 0: unlimited */
	uint32_t limit;
};

struct frame {
	uint64_t due_ns;
	uint64_t seq; /**< arrival order; a duplicate shares its original's */
	uint16_t len;
	uint8_t data[FRAME_MAX];
};

struct dir_stats {
	uint64_t rx, rx_bytes, tx, tx_bytes;
	uint64_t lost, duplicated, corrupted, reordered;
	uint64_t limit_drops, rx_socket_drops, tx_retries, oversize;
	uint64_t max_queue;
};

struct direction {
	const char *name;
	int in_fd, out_fd;
	const struct impair_cfg *cfg;
	struct frame *pool;
	uint32_t *free_idx; /**< stack of free pool slots */
	uint32_t nb_free;
	uint32_t *heap; /**< pool slots ordered by (due_ns, seq) */
	uint32_t nb_heap;
	uint64_t next_seq;
	uint64_t max_sent_seq; /**< highest arrival number sent so far, plus one */
	uint64_t link_free_ns; /**< rate: when the last frame has left */
	uint64_t retry_at_ns;
	uint64_t rng;
	struct dir_stats st;
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t dump_requested;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_requested = 1;
	else
		stop_requested = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* splitmix64: small, fast, and good enough to draw loss and jitter from. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool
chance(struct direction *d, uint32_t ppm)
{
	return ppm != 0 && rng_next(&d->rng) % PPM < ppm;
}

static bool
heap_less(const struct direction *d, uint32_t a, uint32_t b)
{
	const struct frame *fa = &d->pool[a], *fb = &d->pool[b];

	return fa->due_ns < fb->due_ns || (fa->due_ns == fb->due_ns && fa->seq < fb->seq);
}

static void
heap_push(struct direction *d, uint32_t idx)
{
	uint32_t i = d->nb_heap++;

	d->heap[i] = idx;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!heap_less(d, d->heap[i], d->heap[parent]))
			break;
		uint32_t t = d->heap[i];
		d->heap[i] = d->heap[parent];
		d->heap[parent] = t;
		i = parent;
	}
}

static void
heap_pop(struct direction *d)
{
	uint32_t i = 0;

	d->heap[0] = d->heap[--d->nb_heap];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < d->nb_heap && heap_less(d, d->heap[l], d->heap[m]))
			m = l;
		if (r < d->nb_heap && heap_less(d, d->heap[r], d->heap[m]))
			m = r;
		if (m == i)
			break;
		uint32_t t = d->heap[i];
		d->heap[i] = d->heap[m];
		d->heap[m] = t;
		i = m;
	}
}

/*
 * Flip one bit of an IPv4 datagram (within its total length, not the Ethernet padding).
 * Other frames (ARP) are left alone: no checksum covers them.
 */
static void
corrupt(struct direction *d, struct frame *f)
{
	uint32_t lo = ETH_HLEN_, hi = f->len, ip_len;

	if (f->len < ETH_HLEN_ + 20 || f->data[12] != 0x08 || f->data[13] != 0x00)
		return;
	ip_len = ((uint32_t)f->data[16] << 8) | f->data[17];
	if (ip_len >= 20 && ETH_HLEN_ + ip_len < hi)
		hi = ETH_HLEN_ + ip_len;
	uint64_t r = rng_next(&d->rng);
	f->data[lo + r % (hi - lo)] ^= (uint8_t)(1u << ((r >> 32) % 8));
	d->st.corrupted++;
}

/* When a frame that arrived at @p now leaves, before the link rate is applied. */
static uint64_t
due_time(struct direction *d, uint64_t now)
{
	const struct impair_cfg *c = d->cfg;
	uint64_t delay = c->delay_ns;

	if (delay == 0 && c->jitter_ns == 0)
		return now;
	if (chance(d, c->reorder_ppm))
		return now; /* jumps the queue */
	if (c->jitter_ns != 0) {
		uint64_t span = 2 * c->jitter_ns + 1;
		int64_t j = (int64_t)(rng_next(&d->rng) % span) - (int64_t)c->jitter_ns;

		delay = (int64_t)delay + j < 0 ? 0 : (uint64_t)((int64_t)delay + j);
	}
	return now + delay;
}

static uint64_t
apply_rate(struct direction *d, uint64_t due, uint32_t len)
{
	if (d->cfg->rate_bps == 0)
		return due;
	if (due < d->link_free_ns)
		due = d->link_free_ns;
	due += (uint64_t)len * 8 * 1000000000ULL / d->cfg->rate_bps;
	d->link_free_ns = due;
	return due;
}

/* Queue a copy of frame @p src (pool slot) to leave at @p due; false if the queue is full. */
static bool
enqueue(struct direction *d, uint32_t idx)
{
	if (d->nb_heap >= d->cfg->limit) {
		d->st.limit_drops++;
		d->free_idx[d->nb_free++] = idx;
		return false;
	}
	heap_push(d, idx);
	if (d->nb_heap > d->st.max_queue)
		d->st.max_queue = d->nb_heap;
	return true;
}

/* Read what has arrived (up to a few bursts) and schedule it. Returns frames read. */
static unsigned int
ingest(struct direction *d, uint64_t now)
{
	struct mmsghdr msgs[BURST];
	struct iovec iov[BURST];
	uint32_t slots[BURST];
	unsigned int total = 0;

	for (int round = 0; round < 4; round++) {
		unsigned int want = 0;

		/* Two slots per frame at most (a duplicate), so keep that much free. */
		while (want < BURST && d->nb_free >= 2 * (want + 1)) {
			slots[want] = d->free_idx[--d->nb_free];
			iov[want].iov_base = d->pool[slots[want]].data;
			iov[want].iov_len = FRAME_MAX;
			memset(&msgs[want], 0, sizeof(msgs[want]));
			msgs[want].msg_hdr.msg_iov = &iov[want];
			msgs[want].msg_hdr.msg_iovlen = 1;
			want++;
		}
		if (want == 0)
			break;
		int n = recvmmsg(d->in_fd, msgs, want, MSG_DONTWAIT | MSG_TRUNC, NULL);

		if (n < 0)
			n = 0;
		for (unsigned int i = (unsigned int)n; i < want; i++)
			d->free_idx[d->nb_free++] = slots[i];
		for (int i = 0; i < n; i++) {
			uint32_t idx = slots[i];
			struct frame *f = &d->pool[idx];
			uint32_t len = msgs[i].msg_len;

			d->st.rx++;
			d->st.rx_bytes += len;
			if (len > FRAME_MAX) {
				d->st.oversize++;
				d->free_idx[d->nb_free++] = idx;
				continue;
			}
			f->len = (uint16_t)len;
			f->seq = d->next_seq++;
			if (chance(d, d->cfg->loss_ppm)) {
				d->st.lost++;
				d->free_idx[d->nb_free++] = idx;
				continue;
			}
			bool dup = chance(d, d->cfg->dup_ppm);

			if (chance(d, d->cfg->corrupt_ppm))
				corrupt(d, f);
			f->due_ns = apply_rate(d, due_time(d, now), len);
			if (!enqueue(d, idx) || !dup)
				continue;
			uint32_t c = d->free_idx[--d->nb_free];

			memcpy(&d->pool[c], f, sizeof(*f) - FRAME_MAX + len);
			d->pool[c].due_ns = apply_rate(d, f->due_ns, len);
			if (enqueue(d, c))
				d->st.duplicated++;
		}
		total += (unsigned int)n;
		if ((unsigned int)n < want)
			break;
	}
	return total;
}

/* Send every frame that is due. */
static void
flush(struct direction *d, uint64_t now)
{
	if (now < d->retry_at_ns)
		return;
	while (d->nb_heap > 0 && d->pool[d->heap[0]].due_ns <= now) {
		struct mmsghdr msgs[BURST];
		struct iovec iov[BURST];
		uint32_t slots[BURST];
		unsigned int n = 0;

		/* Pop due frames in order, send them together, put back what did not go. */
		while (n < BURST && d->nb_heap > 0 && d->pool[d->heap[0]].due_ns <= now) {
			slots[n] = d->heap[0];
			heap_pop(d);
			iov[n].iov_base = d->pool[slots[n]].data;
			iov[n].iov_len = d->pool[slots[n]].len;
			memset(&msgs[n], 0, sizeof(msgs[n]));
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
			n++;
		}
		int sent = sendmmsg(d->out_fd, msgs, n, MSG_DONTWAIT);

		if (sent < 0)
			sent = 0;
		for (int i = 0; i < sent; i++) {
			const struct frame *f = &d->pool[slots[i]];

			d->st.tx++;
			d->st.tx_bytes += f->len;
			if (f->seq + 1 < d->max_sent_seq)
				d->st.reordered++;
			else
				d->max_sent_seq = f->seq + 1;
			d->free_idx[d->nb_free++] = slots[i];
		}
		if ((unsigned int)sent < n) {
			/* Peer backlog full (ENOBUFS) or the socket is busy: later, same order. */
			for (unsigned int i = (unsigned int)sent; i < n; i++)
				heap_push(d, slots[i]);
			d->st.tx_retries++;
			d->retry_at_ns = now + RETRY_NS;
			return;
		}
	}
}

static void
read_socket_drops(struct direction *d)
{
	struct tpacket_stats ps;
	socklen_t len = sizeof(ps);

	/* Reading resets the kernel's counters: accumulate. */
	if (getsockopt(d->in_fd, SOL_PACKET, PACKET_STATISTICS, &ps, &len) == 0)
		d->st.rx_socket_drops += ps.tp_drops;
}

static void
print_dir(const struct direction *d)
{
	const struct dir_stats *s = &d->st;

	printf("\"%s\":{\"rx\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 ",\"tx\":%" PRIu64
	       ",\"tx_bytes\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"duplicated\":%" PRIu64
	       ",\"corrupted\":%" PRIu64 ",\"reordered\":%" PRIu64 ",\"limit_drops\":%" PRIu64
	       ",\"rx_socket_drops\":%" PRIu64 ",\"tx_retries\":%" PRIu64 ",\"oversize\":%" PRIu64
	       ",\"max_queue\":%" PRIu64 ",\"queued\":%" PRIu32 "}",
	       d->name, s->rx, s->rx_bytes, s->tx, s->tx_bytes, s->lost, s->duplicated,
	       s->corrupted, s->reordered, s->limit_drops, s->rx_socket_drops, s->tx_retries,
	       s->oversize, s->max_queue, d->nb_heap);
}

static void
dump(struct direction *dirs)
{
	read_socket_drops(&dirs[0]);
	read_socket_drops(&dirs[1]);
	printf("{");
	print_dir(&dirs[0]);
	printf(",");
	print_dir(&dirs[1]);
	printf("}\n");
	fflush(stdout);
}

static int
open_socket(const char *ifname)
{
	struct sockaddr_ll sll;
	int one = 1, buf = SOCK_BUF;
	unsigned int ifindex = if_nametoindex(ifname);
	/* Protocol 0 until bound, so nothing from another interface slips in first. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (ifindex == 0 || fd < 0) {
		fprintf(stderr, "netem_relay: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	/* Our own transmissions must not come back to us; skip the qdisc, as netem would. */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) {
		fprintf(stderr, "netem_relay: %s: setsockopt: %s\n", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		fprintf(stderr, "netem_relay: bind %s: %s\n", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
dir_init(struct direction *d, const char *name, int in_fd, int out_fd, const struct impair_cfg *cfg,
	 uint64_t seed)
{
	/* Room for a full queue plus one burst being read, duplicates included. */
	uint32_t slots = cfg->limit + 2 * BURST;

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->in_fd = in_fd;
	d->out_fd = out_fd;
	d->cfg = cfg;
	d->rng = seed;
	d->pool = calloc(slots, sizeof(*d->pool));
	d->free_idx = calloc(slots, sizeof(*d->free_idx));
	d->heap = calloc(slots, sizeof(*d->heap));
	if (d->pool == NULL || d->free_idx == NULL || d->heap == NULL)
		return -1;
	for (uint32_t i = 0; i < slots; i++)
		d->free_idx[d->nb_free++] = slots - 1 - i;
	return 0;
}

static uint32_t
parse_ppm(const char *s)
{
	double v = strtod(s, NULL);

	if (v < 0)
		v = 0;
	if (v > 100)
		v = 100;
	return (uint32_t)(v * (PPM / 100) + 0.5);
}

static uint64_t
parse_ms(const char *s)
{
	double v = strtod(s, NULL);

	return v <= 0 ? 0 : (uint64_t)(v * 1e6 + 0.5);
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s IF_A IF_B [--loss PCT] [--duplicate PCT] [--corrupt PCT]\n"
		"       [--delay MS] [--jitter MS] [--reorder PCT] [--rate KBIT] [--limit N]\n"
		"       [--seed N]\n",
		prog);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"loss", required_argument, NULL, 'l'},
		{"duplicate", required_argument, NULL, 'd'},
		{"corrupt", required_argument, NULL, 'c'},
		{"delay", required_argument, NULL, 'D'},
		{"jitter", required_argument, NULL, 'j'},
		{"reorder", required_argument, NULL, 'r'},
		{"rate", required_argument, NULL, 'R'},
		{"limit", required_argument, NULL, 'L'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	struct impair_cfg cfg = {.limit = 1000};
	struct direction dirs[2];
	uint64_t seed = 1;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			cfg.loss_ppm = parse_ppm(optarg);
			break;
		case 'd':
			cfg.dup_ppm = parse_ppm(optarg);
			break;
		case 'c':
			cfg.corrupt_ppm = parse_ppm(optarg);
			break;
		case 'D':
			cfg.delay_ns = parse_ms(optarg);
			break;
		case 'j':
			cfg.jitter_ns = parse_ms(optarg);
			break;
		case 'r':
			cfg.reorder_ppm = parse_ppm(optarg);
			break;
		case 'R':
			cfg.rate_bps = strtoull(optarg, NULL, 0) * 1000;
			break;
		case 'L':
			cfg.limit = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (argc - optind != 2 || cfg.limit == 0 || cfg.limit > 1000000) {
		usage(argv[0]);
		return 2;
	}
	int fa = open_socket(argv[optind]), fb = open_socket(argv[optind + 1]);

	if (fa < 0 || fb < 0)
		return 1;
	if (dir_init(&dirs[0], "a2b", fa, fb, &cfg, seed) != 0 ||
	    dir_init(&dirs[1], "b2a", fb, fa, &cfg, seed ^ 0x5deece66dULL) != 0) {
		fprintf(stderr, "netem_relay: out of memory\n");
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	printf("ready %s <-> %s\n", argv[optind], argv[optind + 1]);
	fflush(stdout);

	struct pollfd pfd[2] = {{.fd = fa, .events = POLLIN}, {.fd = fb, .events = POLLIN}};

	while (!stop_requested) {
		uint64_t now = now_ns();
		unsigned int got = 0;

		flush(&dirs[0], now);
		flush(&dirs[1], now);
		got += ingest(&dirs[0], now);
		got += ingest(&dirs[1], now);
		now = now_ns();
		flush(&dirs[0], now);
		flush(&dirs[1], now);
		if (dump_requested) {
			dump_requested = 0;
			dump(dirs);
		}
		if (got != 0)
			continue;
		/* Sleep until a frame arrives or the next one is due (bounded). */
		uint64_t wait = WAIT_MAX_NS;

		for (int i = 0; i < 2; i++) {
			const struct direction *d = &dirs[i];

			if (d->nb_heap == 0)
				continue;
			uint64_t due = d->pool[d->heap[0]].due_ns;

			if (due < d->retry_at_ns)
				due = d->retry_at_ns;
			if (due <= now)
				wait = 0;
			else if (due - now < wait)
				wait = due - now;
		}
		struct timespec ts = {.tv_sec = (time_t)(wait / 1000000000ULL),
				      .tv_nsec = (long)(wait % 1000000000ULL)};

		if (wait > 0)
			ppoll(pfd, 2, &ts, NULL);
	}
	dump(dirs);
	return 0;
}
