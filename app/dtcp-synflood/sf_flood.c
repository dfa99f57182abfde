/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw flood port (see sf_flood.h). One poll (sf_flood_poll):
 *
 *   intervals   publish a snapshot for every boundary the clock passed
 *   receive     up to SF_RX_BURSTS bursts: classify (sf_rx_classify), count,
 *               answer ARP for --addr when there is no stack, free
 *   end check   --duration, --max-syns or a signal -> flood_done
 *   send        credit from the token bucket (or "max": as much as TX takes),
 *               at most SF_TX_BUDGET per poll so the stack's loop keeps pace,
 *               rte_pktmbuf_alloc_bulk, sf_syn_fill per frame, tx_burst;
 *               refused frames are freed and counted as tx_dropped
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "sf_flood.h"

/** Receive bursts per poll at most. */
#define SF_RX_BURSTS 8
/*
 * SYNs sent per poll at most: one burst. The stack's port reads one burst per
 * poll too, and where it shares the wire with the raw port (pcap + af_packet
 * on one interface) it receives every answer to the flood; since there are
 * never more answers than SYNs, it keeps up, and the legitimate clients'
 * SYN-ACKs are not lost in our own receive buffer at --rate max.
 */
#define SF_TX_BUDGET SF_BURST
/** Ring sizes asked for (the device may adjust them). */
#define SF_RX_DESC 1024
#define SF_TX_DESC 1024
/** Pools: RX holds full frames; TX only ever holds a SYN or an ARP frame. */
#define SF_RX_POOL	8191
#define SF_TX_POOL	16383
#define SF_POOL_CACHE	256
#define SF_TX_DATA_ROOM (RTE_PKTMBUF_HEADROOM + 128)
/** Largest answer bitmap: 2^27 SYNs (16 MiB), more than a minute at 1 Mpps. */
#define SF_ANSWERED_MAX_BITS (UINT64_C(1) << 27)
#define SF_ANSWERED_MIN_BITS (UINT64_C(1) << 16)

/* xorshift64*: a multiply and three shifts per 64 random bits. */
static inline uint64_t
rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * UINT64_C(0x2545f4914f6cdd1d);
}

int
sf_flood_port_init(struct sf_flood *f, uint16_t port_id, const struct sf_args *a, bool answer_arp,
		   char *err, size_t err_len)
{
	const uint64_t want = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_txconf txconf;
	uint16_t nb_rxd = SF_RX_DESC, nb_txd = SF_TX_DESC;
	char name[RTE_MEMPOOL_NAMESIZE];
	int socket = rte_eth_dev_socket_id(port_id), rc;

	memset(f, 0, sizeof(*f));
	f->args = a;
	f->port_id = port_id;
	f->answer_arp = answer_arp;
	if (socket < 0)
		socket = (int)rte_socket_id();
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		snprintf(err, err_len, "raw port %u: no device info: %s", port_id, strerror(-rc));
		return rc;
	}
	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = want & info.tx_offload_capa;
	/* Every mbuf comes from one pool with a reference count of 1. */
	conf.txmode.offloads |= info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	rc = rte_eth_dev_configure(port_id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		snprintf(err, err_len, "raw port %u (%s): configure failed: %s", port_id,
			 info.driver_name, strerror(-rc));
		return rc;
	}

	snprintf(name, sizeof(name), "sf_rx_%u", port_id);
	f->rx_pool = rte_pktmbuf_pool_create(name, SF_RX_POOL, SF_POOL_CACHE, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	snprintf(name, sizeof(name), "sf_tx_%u", port_id);
	f->tx_pool = rte_pktmbuf_pool_create(name, SF_TX_POOL, SF_POOL_CACHE, 0, SF_TX_DATA_ROOM,
					     socket);
	if (f->rx_pool == NULL || f->tx_pool == NULL) {
		snprintf(err, err_len, "raw port %u: cannot create its mempools: %s", port_id,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	rc = rte_eth_rx_queue_setup(port_id, 0, nb_rxd, (unsigned int)socket, NULL, f->rx_pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port_id, 0, nb_txd, (unsigned int)socket, &txconf);
	if (rc == 0)
		rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, err_len, "raw port %u (%s): queue set-up or start failed: %s",
			 port_id, info.driver_name, strerror(-rc));
		return rc;
	}
	f->port_started = true;
	rc = rte_eth_macaddr_get(port_id, &f->mac);
	if (rc != 0) {
		snprintf(err, err_len, "raw port %u: no MAC address: %s", port_id, strerror(-rc));
		return rc;
	}

	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
		f->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
		f->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	fprintf(stderr,
		"dtcp-synflood: raw port %u (%s) " RTE_ETHER_ADDR_PRT_FMT
		", IPv4 checksum %s, TCP checksum %s\n",
		port_id, info.driver_name, RTE_ETHER_ADDR_BYTES(&f->mac),
		(f->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) ? "offloaded" : "in software",
		(f->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM) ? "offloaded" : "in software");
	return 0;
}

/*
 * Answer an ARP request for --addr. The reply is built in a TX-pool mbuf, not
 * in the request's: with RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE every mbuf on the
 * queue must come from one pool. Rare (the peer's ARP cache), so a copy is fine.
 */
static void
arp_answer(struct sf_flood *f, const struct rte_mbuf *req_m, const struct sf_arp *req)
{
	/* The request's own length (it was parsed, so at least SF_ARP_LEN), at most padded. */
	uint16_t len = req_m->data_len > SF_ARP_PAD_LEN ? SF_ARP_PAD_LEN : req_m->data_len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(f->tx_pool);
	uint8_t *p;

	if (m == NULL)
		return;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	memcpy(p, rte_pktmbuf_mtod(req_m, const uint8_t *), len);
	sf_arp_reply_in_place(p, req, f->mac.addr_bytes, f->args->addr);
	if (rte_eth_tx_burst(f->port_id, 0, &m, 1) == 1)
		f->arp_replies++;
	else
		rte_pktmbuf_free(m);
}

/* An ARP frame arrived: answer it if it asks for us. Takes @p m. */
static void
arp_input(struct sf_flood *f, struct rte_mbuf *m, struct sf_arp *out)
{
	struct sf_arp arp;

	if (m->nb_segs == 1 &&
	    sf_arp_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &arp) == 0) {
		if (out != NULL)
			*out = arp;
		if (f->answer_arp && arp.op == 1 && arp.tpa == f->args->addr)
			arp_answer(f, m, &arp);
	}
	rte_pktmbuf_free(m);
}

static int
arp_send_request(struct sf_flood *f, uint32_t ip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(f->tx_pool);
	uint8_t *p;

	if (m == NULL)
		return -ENOBUFS;
	p = (uint8_t *)rte_pktmbuf_append(m, SF_ARP_PAD_LEN);
	sf_arp_request(p, f->mac.addr_bytes, f->args->addr, ip);
	if (rte_eth_tx_burst(f->port_id, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -EAGAIN;
	}
	return 0;
}

int
sf_flood_resolve(struct sf_flood *f, uint32_t ip, unsigned int tries, unsigned int interval_ms,
		 struct rte_ether_addr *mac)
{
	const uint64_t hz = rte_get_tsc_hz();
	struct rte_mbuf *pkts[SF_BURST];

	for (unsigned int t = 0; t < tries; t++) {
		uint64_t until = rte_get_tsc_cycles() + hz * interval_ms / 1000;

		/* A device not ready yet (vhost peer) refuses the frame: that try waits anyway. */
		(void)arp_send_request(f, ip);
		while (rte_get_tsc_cycles() < until) {
			uint16_t n = rte_eth_rx_burst(f->port_id, 0, pkts, SF_BURST);
			bool found = false;

			for (uint16_t i = 0; i < n; i++) {
				struct sf_arp arp = {.op = 0};
				const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);

				if (pkts[i]->data_len < SF_ETH_LEN ||
				    sf_get16(p + 12) != RTE_ETHER_TYPE_ARP) {
					rte_pktmbuf_free(pkts[i]);
					continue;
				}
				arp_input(f, pkts[i], &arp);
				/* A reply, or a request from the target itself: both carry its MAC.
				 */
				if (arp.op != 0 && arp.spa == ip && !found) {
					memcpy(mac->addr_bytes, arp.sha, 6);
					found = true;
				}
			}
			if (found)
				return 0;
			if (n == 0)
				rte_delay_us_sleep(100);
		}
	}
	return -ETIMEDOUT;
}

/* Bitmap size: the SYNs the run can send, rounded up to a power of two, within bounds. */
static uint64_t
answered_bits(const struct sf_args *a)
{
	uint64_t want = SF_ANSWERED_MAX_BITS, bits = SF_ANSWERED_MIN_BITS;

	if (!a->rate_max)
		want = a->rate_pps * a->duration_s + SF_TX_BUDGET;
	if (a->max_syns != 0 && a->max_syns < want)
		want = a->max_syns + SF_TX_BUDGET;
	while (bits < want && bits < SF_ANSWERED_MAX_BITS)
		bits <<= 1;
	return bits;
}

int
sf_flood_prepare(struct sf_flood *f, struct sf_ctx *ctx, const struct rte_ether_addr *dst_mac)
{
	const struct sf_args *a = f->args;
	uint64_t rate = a->rate_pps;

	f->ctx = ctx;
	sf_syn_tmpl_init(&f->tmpl, dst_mac->addr_bytes, f->mac.addr_bytes, a->target_addr,
			 a->target_port, (f->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) != 0,
			 (f->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM) != 0);
	memcpy(f->filter.own_mac, f->mac.addr_bytes, 6);
	f->filter.spoof_mask = sf_prefix_mask(a->spoof_len);
	f->filter.spoof_net = rte_be_to_cpu_32(a->spoof_net);
	f->filter.legit_addr = a->addr; /* the stack's, or ours: never an answer */
	f->isn_key.k1 = (uint32_t)rte_rand();
	f->isn_key.k2 = (uint32_t)rte_rand();
	do
		f->rng = rte_rand();
	while (f->rng == 0); /* xorshift's one fixed point */

	f->answered.nb_bits = answered_bits(a);
	f->answered.words = rte_zmalloc("sf_answered", f->answered.nb_bits / 8, 64);
	if (f->answered.words == NULL)
		return -ENOMEM;

	if (!a->rate_max) {
		/* Send in batches of up to SF_BURST, never holding more than 100 us of credit. */
		uint64_t batch = RTE_MIN((uint64_t)SF_BURST, rate / 10000);

		f->min_batch = batch == 0 ? 1 : batch;
		/*
		 * Catch up after a stall (preemption on a shared core) of up to 10 ms,
		 * SF_TX_BUDGET per poll: the average rate holds, bursts stay bounded.
		 */
		f->credit_max = RTE_MAX((uint64_t)SF_BURST, rate / 100) * ctx->hz;
	}
	return 0;
}

void
sf_flood_start(struct sf_flood *f)
{
	f->last_tsc = f->ctx->start_tsc;
	f->next_pub_tsc = f->ctx->start_tsc + f->ctx->interval_tsc;
}

void
sf_flood_totals(const struct sf_flood *f, struct sf_flood_snap *s)
{
	s->syn_sent = f->syn_sent;
	s->tx_dropped = f->tx_dropped;
	s->synack_rx = f->synack_rx;
	s->synack_unique = f->synack_unique;
	s->rst_rx = f->rst_rx;
	s->other_rx = f->other_rx;
	s->rx_frames = f->rx_frames;
}

static void
publish(struct sf_flood *f)
{
	struct sf_ctx *ctx = f->ctx;

	if (f->pub >= ctx->nb_snap)
		return;
	sf_flood_totals(f, &ctx->fsnap[f->pub]);
	f->pub++;
	__atomic_store_n(&ctx->fpub, f->pub, __ATOMIC_RELEASE);
}

static void
rx(struct sf_flood *f)
{
	struct rte_mbuf *pkts[SF_BURST], *done[SF_BURST];

	for (unsigned int b = 0; b < SF_RX_BURSTS; b++) {
		uint16_t n = rte_eth_rx_burst(f->port_id, 0, pkts, SF_BURST);
		unsigned int nb_done = 0;

		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			uint32_t ack = 0;

			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			switch (sf_rx_classify(&f->filter, rte_pktmbuf_mtod(m, const uint8_t *),
					       m->data_len, &ack)) {
			case SF_RX_OWN:
				break;
			case SF_RX_ARP:
				f->rx_frames++;
				arp_input(f, m, NULL);
				continue; /* taken */
			case SF_RX_SYNACK:
				f->rx_frames++;
				f->synack_rx++;
				if (sf_answered_mark(&f->answered,
						     sf_isn_to_index(&f->isn_key, ack - 1),
						     f->generated))
					f->synack_unique++;
				break;
			case SF_RX_RST:
				f->rx_frames++;
				f->rst_rx++;
				break;
			case SF_RX_OTHER:
				f->rx_frames++;
				f->other_rx++;
				break;
			default: /* unrelated, or the legitimate clients' */
				f->rx_frames++;
				break;
			}
			done[nb_done++] = m;
		}
		rte_pktmbuf_free_bulk(done, nb_done);
		if (n < SF_BURST)
			break;
	}
}

static void
build(struct sf_flood *f, struct rte_mbuf **m, unsigned int n)
{
	const struct sf_args *a = f->args;
	const uint32_t net = f->filter.spoof_net;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t r1 = rng_next(&f->rng), r2 = rng_next(&f->rng);
		struct sf_syn_fields v = {
			.src_addr = sf_spoof_addr(net, a->spoof_len, (uint32_t)r1),
			.src_port = sf_spoof_port((uint16_t)(r1 >> 32)),
			.ip_id = (uint16_t)(r1 >> 48),
			.isn = sf_isn_from_index(&f->isn_key, (uint32_t)f->generated),
			.tsval = (uint32_t)r2,
		};

		sf_answered_on_send(&f->answered, f->generated);
		f->generated++;
		sf_syn_fill(&f->tmpl, rte_pktmbuf_mtod(m[i], uint8_t *), &v);
		m[i]->data_len = SF_SYN_LEN;
		m[i]->pkt_len = SF_SYN_LEN;
		if (f->ol_flags != 0) {
			m[i]->ol_flags = f->ol_flags;
			m[i]->l2_len = SF_ETH_LEN;
			m[i]->l3_len = SF_IP_LEN;
		}
	}
}

/* How many SYNs this poll may send. */
static uint64_t
budget(struct sf_flood *f, uint64_t now)
{
	const struct sf_args *a = f->args;
	const uint64_t hz = f->ctx->hz;
	uint64_t n = SF_TX_BUDGET, elapsed;

	if (!a->rate_max) {
		elapsed = RTE_MIN(now - f->last_tsc, hz); /* bounded: no overflow below */
		f->last_tsc = now;
		f->credit += elapsed * a->rate_pps;
		if (f->credit > f->credit_max) {
			/* A stall longer than the catch-up window: that much rate is lost. */
			f->credit_lost += f->credit - f->credit_max;
			f->credit = f->credit_max;
		}
		n = f->credit / hz;
		if (n < f->min_batch)
			return 0;
		n = RTE_MIN(n, (uint64_t)SF_TX_BUDGET);
	}
	if (a->max_syns != 0)
		n = RTE_MIN(n, a->max_syns - f->syn_sent);
	return n;
}

static void
tx(struct sf_flood *f, uint64_t now)
{
	struct rte_mbuf *m[SF_BURST];
	uint64_t left = budget(f, now);

	while (left > 0) {
		unsigned int n = (unsigned int)RTE_MIN(left, (uint64_t)SF_BURST);
		uint16_t sent;

		if (rte_pktmbuf_alloc_bulk(f->tx_pool, m, n) != 0) {
			f->alloc_failed++;
			return; /* the credit stays: sent once mbufs come back */
		}
		build(f, m, n);
		sent = rte_eth_tx_burst(f->port_id, 0, m, (uint16_t)n);
		f->syn_sent += sent;
		if (!f->args->rate_max)
			f->credit -= (uint64_t)n * f->ctx->hz; /* refused ones were offered too */
		left -= n;
		if (sent < n) {
			rte_pktmbuf_free_bulk(m + sent, n - sent);
			f->tx_dropped += n - sent;
			return; /* the ring is full: let it drain */
		}
	}
}

static void
end_flood(struct sf_flood *f, uint64_t now)
{
	struct sf_ctx *ctx = f->ctx;

	f->done = true;
	ctx->flood_end_tsc = now;
	__atomic_store_n(&ctx->flood_done, 1, __ATOMIC_RELEASE);
}

void
sf_flood_poll(struct sf_flood *f, uint64_t now)
{
	struct sf_ctx *ctx = f->ctx;

	while (now >= f->next_pub_tsc) {
		publish(f);
		f->next_pub_tsc += ctx->interval_tsc;
	}
	rx(f);
	if (f->done)
		return;
	if (__atomic_load_n(&ctx->stop_req, __ATOMIC_RELAXED) != 0 || now >= ctx->deadline_tsc ||
	    (f->args->max_syns != 0 && f->syn_sent >= f->args->max_syns)) {
		end_flood(f, now);
		return;
	}
	tx(f, now);
}

void
sf_flood_finish(struct sf_flood *f, uint64_t now)
{
	if (!f->done)
		end_flood(f, now);
	publish(f);
}

void
sf_flood_fini(struct sf_flood *f)
{
	if (f->port_started) {
		(void)rte_eth_dev_stop(f->port_id);
		(void)rte_eth_dev_close(f->port_id);
		f->port_started = false;
	}
	rte_mempool_free(f->rx_pool);
	rte_mempool_free(f->tx_pool);
	rte_free(f->answered.words);
	f->rx_pool = NULL;
	f->tx_pool = NULL;
	f->answered.words = NULL;
}
