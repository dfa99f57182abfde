/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) with the RFC 1122 section 2.3.2 behaviour a host needs: a
 * bounded queue of packets per unresolved next hop, rate-limited retries,
 * and entries that age out.
 *
 * Call chain:
 *   dtcp_eth_input -> dtcp_arp_input -> arp_learn -> arp_flush_pending -> dtcp_eth_output
 *                                   \-> reply built in place           -> dtcp_eth_output
 *   dtcp_ipv4_output -> dtcp_arp_output -> dtcp_eth_output (resolved)
 *                                       \-> arp_send_request + queue   (unresolved)
 *   dtcp_lcore_poll -> dtcp_arp_tick (retry / give up / expire)
 *                   -> dtcp_arp_drain_shared -> arp_learn (updates from other lcores)
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "core/lcore.h"
#include "net/arp.h"
#include "net/eth.h"
#include "wire/arp.h"
#include "wire/eth.h"

/* Shared updates drained per peer ring per poll. */
#define ARP_SHARED_BURST 32
/* Entries handled per tick at most (the rest on the next tick). */
#define ARP_TICK_BATCH 64

int
dtcp_arp_table_init(struct dtcp_arp_table *t, const char *name, const struct dtcp_config *cfg,
		    int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = cfg->arp_table_size,
		.key_len = sizeof(uint32_t),
		.socket_id = socket,
		/* Extendable buckets: the table holds exactly 'entries' keys, never fewer. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	memset(t, 0, sizeof(*t));
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	t->entries = rte_zmalloc_socket(name, sizeof(t->entries[0]) * cfg->arp_table_size,
					RTE_CACHE_LINE_SIZE, socket);
	if (t->entries == NULL) {
		rte_hash_free(t->hash);
		t->hash = NULL;
		return -ENOMEM;
	}
	t->size = cfg->arp_table_size;
	t->pending_max = cfg->arp_pending_max;
	t->max_tries = cfg->arp_retries;
	t->retry_us = cfg->arp_retry_ms * 1000u;
	t->timeout_us = (uint64_t)cfg->arp_timeout_s * 1000000u;
	rte_seqcount_init(&t->seq);
	return 0;
}

void
dtcp_arp_table_free(struct dtcp_arp_table *t)
{
	if (t->entries != NULL) {
		for (uint32_t i = 0; i < t->size; i++)
			rte_pktmbuf_free_bulk(t->entries[i].pending, t->entries[i].nb_pending);
		rte_free(t->entries);
	}
	rte_hash_free(t->hash);
	memset(t, 0, sizeof(*t));
}

static struct dtcp_arp_entry *
arp_lookup(struct dtcp_arp_table *t, uint32_t ip)
{
	int32_t pos = rte_hash_lookup(t->hash, &ip);

	return pos >= 0 ? &t->entries[pos] : NULL;
}

static struct dtcp_arp_entry *
arp_insert(struct dtcp_arp_table *t, uint32_t ip, unsigned int port_idx)
{
	int32_t pos = rte_hash_add_key(t->hash, &ip);
	struct dtcp_arp_entry *e;

	if (pos < 0 || (uint32_t)pos >= t->size) {
		if (pos >= 0)
			rte_hash_del_key(t->hash, &ip);
		return NULL;
	}
	e = &t->entries[pos];
	rte_seqcount_write_begin(&t->seq);
	e->ip = ip;
	e->port_idx = (uint8_t)port_idx;
	e->state = DTCP_ARP_INCOMPLETE;
	e->tries = 0;
	e->nb_pending = 0;
	memset(&e->mac, 0, sizeof(e->mac));
	rte_seqcount_write_end(&t->seq);
	return e;
}

static void
arp_remove(struct dtcp_arp_table *t, struct dtcp_arp_entry *e)
{
	rte_seqcount_write_begin(&t->seq);
	e->state = DTCP_ARP_FREE;
	rte_seqcount_write_end(&t->seq);
	rte_hash_del_key(t->hash, &e->ip);
}

/* An ARP request for @p target in a new mbuf (no Ethernet header yet), or NULL. */
static struct rte_mbuf *
arp_request(struct dtcp_lcore *lc, unsigned int port_idx, uint32_t target)
{
	const struct dtcp_port *port = lc->ports[port_idx].port;
	static const struct rte_ether_addr unknown = {{0}};
	struct dtcp_arp_repr req = {
		.op = DTCP_ARP_OP_REQUEST,
		.sha = port->mac,
		.spa = port->addr,
		.tha = unknown,
		.tpa = target,
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);

	if (unlikely(m == NULL)) {
		dtcp_count(lc, DTCP_CTR_DROP_NO_MBUF);
		return NULL;
	}
	dtcp_arp_emit(&req, rte_pktmbuf_append(m, DTCP_ARP_LEN));
	return m;
}

static void
arp_send(struct dtcp_lcore *lc, unsigned int port_idx, uint32_t target, enum dtcp_counter what)
{
	struct rte_mbuf *m = arp_request(lc, port_idx, target);
	struct rte_ether_addr bcast;

	if (unlikely(m == NULL))
		return;
	memset(&bcast, 0xff, sizeof(bcast));
	dtcp_count(lc, what);
	dtcp_eth_output(lc, port_idx, m, &bcast, RTE_ETHER_TYPE_ARP);
}

bool
dtcp_arp_announce(struct dtcp_lcore *lc, unsigned int port_idx)
{
	const struct dtcp_port *port = lc->ports[port_idx].port;
	struct dtcp_eth_repr eth = {.src = port->mac, .ethertype = RTE_ETHER_TYPE_ARP};
	struct rte_eth_link link;
	struct rte_mbuf *m;
	uint32_t len;

	if (rte_eth_link_get_nowait(port->port_id, &link) != 0 ||
	    link.link_status != RTE_ETH_LINK_UP)
		return false;
	/* A gratuitous ARP is a request for our own address (RFC 5227 section 3). */
	m = arp_request(lc, port_idx, port->addr);
	if (unlikely(m == NULL))
		return false;
	memset(&eth.dst, 0xff, sizeof(eth.dst));
	dtcp_eth_emit(&eth, rte_pktmbuf_prepend(m, DTCP_ETH_HDR_LEN));
	m->l2_len = DTCP_ETH_HDR_LEN;
	len = m->pkt_len;
	/* Not through the TX buffer: a refusal must be seen to be retried. */
	if (rte_eth_tx_burst(port->port_id, lc->queue_id, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return false;
	}
	dtcp_count(lc, DTCP_CTR_ARP_TX_GRATUITOUS);
	lc->ctr[DTCP_CTR_TX_PACKETS]++;
	lc->ctr[DTCP_CTR_TX_BYTES] += len;
	return true;
}

static void
arp_flush_pending(struct dtcp_lcore *lc, struct dtcp_arp_entry *e)
{
	unsigned int n = e->nb_pending;

	e->nb_pending = 0;
	for (unsigned int i = 0; i < n; i++)
		dtcp_eth_output(lc, e->port_idx, e->pending[i], &e->mac, RTE_ETHER_TYPE_IPV4);
}

static void
arp_share(struct dtcp_lcore *lc, const struct dtcp_arp_entry *e)
{
	struct dtcp_arp_msg msg = {.ip = e->ip, .mac = e->mac, .port_idx = e->port_idx};

	/* A full ring loses the hint only: that peer resolves the address itself if it needs it. */
	for (unsigned int i = 0; i < lc->nb_peers; i++)
		rte_ring_sp_enqueue_elem(lc->arp_out[i], &msg, sizeof(msg));
}

/*
 * Record ip -> mac. Creates the entry only when @p create (RFC 826: merge
 * existing entries always, add new ones only when the packet was for us).
 * Returns true if the table changed, i.e. other lcores should hear of it.
 */
static bool
arp_learn(struct dtcp_lcore *lc, unsigned int port_idx, uint32_t ip,
	  const struct rte_ether_addr *mac, bool create)
{
	struct dtcp_arp_table *t = &lc->arp;
	struct dtcp_arp_entry *e = arp_lookup(t, ip);
	bool changed;

	if (e == NULL) {
		if (!create)
			return false;
		e = arp_insert(t, ip, port_idx);
		if (e == NULL) {
			dtcp_count(lc, DTCP_CTR_DROP_ARP_TABLE_FULL);
			return false;
		}
	}
	changed = e->state != DTCP_ARP_REACHABLE || !rte_is_same_ether_addr(&e->mac, mac) ||
		  e->port_idx != port_idx;
	rte_seqcount_write_begin(&t->seq);
	e->mac = *mac;
	e->port_idx = (uint8_t)port_idx;
	e->state = DTCP_ARP_REACHABLE;
	e->deadline_us = lc->now_us + t->timeout_us;
	rte_seqcount_write_end(&t->seq);
	if (changed)
		dtcp_count(lc, DTCP_CTR_ARP_LEARNED);
	arp_flush_pending(lc, e);
	return changed;
}

static bool
arp_sender_usable(const struct dtcp_port *port, const struct dtcp_arp_repr *a)
{
	return a->spa != 0 && a->spa != port->addr &&
	       (a->spa & port->netmask) == (port->addr & port->netmask) &&
	       rte_is_unicast_ether_addr(&a->sha);
}

void
dtcp_arp_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m)
{
	const struct dtcp_port *port = lc->ports[port_idx].port;
	struct dtcp_arp_repr a, reply;
	enum dtcp_wire_status st;
	bool for_us;

	st = dtcp_arp_parse(rte_pktmbuf_mtod(m, void *), m->data_len, &a);
	if (unlikely(st != DTCP_WIRE_OK)) {
		dtcp_drop(lc, m,
			  st == DTCP_WIRE_TRUNCATED	? DTCP_CTR_DROP_ARP_TRUNCATED
			  : st == DTCP_WIRE_UNSUPPORTED ? DTCP_CTR_DROP_ARP_UNSUPPORTED
							: DTCP_CTR_DROP_ARP_BAD_OP);
		return;
	}
	for_us = a.tpa == port->addr;
	if (arp_sender_usable(port, &a) && arp_learn(lc, port_idx, a.spa, &a.sha, for_us))
		arp_share(lc, arp_lookup(&lc->arp, a.spa));

	if (a.op == DTCP_ARP_OP_REPLY) {
		dtcp_count(lc, DTCP_CTR_ARP_RX_REPLIES);
		rte_pktmbuf_free(m);
		return;
	}
	if (!for_us) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_ARP_NOT_FOR_US);
		return;
	}
	dtcp_count(lc, DTCP_CTR_ARP_RX_REQUESTS);

	/* Answer in the request's own mbuf. */
	reply = (struct dtcp_arp_repr){
		.op = DTCP_ARP_OP_REPLY,
		.sha = port->mac,
		.spa = port->addr,
		.tha = a.sha,
		.tpa = a.spa,
	};
	rte_pktmbuf_trim(m, m->pkt_len - DTCP_ARP_LEN);
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	dtcp_arp_emit(&reply, rte_pktmbuf_mtod(m, void *));
	dtcp_count(lc, DTCP_CTR_ARP_TX_REPLIES);
	dtcp_eth_output(lc, port_idx, m, &a.sha, RTE_ETHER_TYPE_ARP);
}

void
dtcp_arp_drain_shared(struct dtcp_lcore *lc)
{
	struct dtcp_arp_msg msgs[ARP_SHARED_BURST];

	for (unsigned int i = 0; i < lc->nb_peers; i++) {
		unsigned int n = rte_ring_sc_dequeue_burst_elem(
			lc->arp_in[i], msgs, sizeof(msgs[0]), RTE_DIM(msgs), NULL);

		for (unsigned int j = 0; j < n; j++) {
			dtcp_count(lc, DTCP_CTR_ARP_SHARED_IN);
			arp_learn(lc, msgs[j].port_idx, msgs[j].ip, &msgs[j].mac, true);
		}
	}
}

void
dtcp_arp_output(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m, uint32_t next_hop)
{
	struct dtcp_arp_table *t = &lc->arp;
	struct dtcp_arp_entry *e = arp_lookup(t, next_hop);

	if (likely(e != NULL && e->state == DTCP_ARP_REACHABLE)) {
		dtcp_eth_output(lc, e->port_idx, m, &e->mac, RTE_ETHER_TYPE_IPV4);
		return;
	}
	if (e == NULL) {
		e = arp_insert(t, next_hop, port_idx);
		if (e == NULL) {
			dtcp_drop(lc, m, DTCP_CTR_DROP_ARP_TABLE_FULL);
			return;
		}
		e->tries = 1;
		e->deadline_us = lc->now_us + t->retry_us;
		arp_send(lc, port_idx, next_hop, DTCP_CTR_ARP_TX_REQUESTS);
	}
	if (e->nb_pending >= t->pending_max) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_ARP_PENDING_FULL);
		return;
	}
	e->pending[e->nb_pending++] = m;
}

static void
arp_expire(struct dtcp_lcore *lc, struct dtcp_arp_entry *e)
{
	struct dtcp_arp_table *t = &lc->arp;

	if (e->state == DTCP_ARP_REACHABLE) {
		dtcp_count(lc, DTCP_CTR_ARP_EXPIRED);
		arp_remove(t, e);
	} else if (e->tries >= t->max_tries) {
		lc->ctr[DTCP_CTR_DROP_ARP_UNRESOLVED] += e->nb_pending;
		rte_pktmbuf_free_bulk(e->pending, e->nb_pending);
		e->nb_pending = 0;
		arp_remove(t, e);
	} else {
		e->tries++;
		e->deadline_us = lc->now_us + t->retry_us;
		arp_send(lc, e->port_idx, e->ip, DTCP_CTR_ARP_TX_REQUESTS);
	}
}

void
dtcp_arp_tick(struct dtcp_lcore *lc)
{
	struct dtcp_arp_table *t = &lc->arp;
	int32_t due[ARP_TICK_BATCH];
	unsigned int nb_due = 0;
	const void *key;
	void *data;
	uint32_t iter = 0;
	int32_t pos;

	/*
	 * rte_hash_iterate visits occupied slots only, so an idle table costs
	 * little. Deleting while iterating may move keys under the iterator, so
	 * collect first, act after; what does not fit waits for the next tick.
	 */
	while (nb_due < RTE_DIM(due) && (pos = rte_hash_iterate(t->hash, &key, &data, &iter)) >= 0)
		if (lc->now_us >= t->entries[pos].deadline_us)
			due[nb_due++] = pos;
	for (unsigned int i = 0; i < nb_due; i++)
		arp_expire(lc, &t->entries[due[i]]);
}

unsigned int
dtcp_arp_snapshot(const struct dtcp_arp_table *t, struct dtcp_arp_entry *out, unsigned int max)
{
	unsigned int n;
	uint32_t sn;

	do {
		sn = rte_seqcount_read_begin(&t->seq);
		n = 0;
		for (uint32_t i = 0; i < t->size && n < max; i++)
			if (t->entries[i].state != DTCP_ARP_FREE)
				out[n++] = t->entries[i];
	} while (rte_seqcount_read_retry(&t->seq, sn));
	return n;
}
