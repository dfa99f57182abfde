/* SPDX-License-Identifier: BSD-3-Clause */
#include "net/mbuf_chain.h"
#include "wire/wire.h"

uint16_t
dtcp_mbuf_chain_sum(const struct rte_mbuf *m)
{
	uint32_t sum = 0;
	bool odd = false;

	for (; m != NULL; m = m->next) {
		uint32_t s = dtcp_cksum_fold(
			dtcp_cksum_add(rte_pktmbuf_mtod(m, const void *), m->data_len, 0));

		/* A piece starting at an odd offset has its bytes in swapped lanes. */
		if (odd)
			s = ((s & 0xff) << 8) | (s >> 8);
		sum += s;
		odd ^= m->data_len & 1;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

struct rte_mbuf *
dtcp_mbuf_chain_adj(struct rte_mbuf *m, uint32_t len)
{
	uint32_t pkt_len = m->pkt_len - len;
	uint16_t nb_segs = m->nb_segs;

	/* Whole leading segments go; the one holding byte len keeps its tail. */
	while (len >= m->data_len && m->next != NULL) {
		struct rte_mbuf *next = m->next;

		len -= m->data_len;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
		nb_segs--;
	}
	m->data_off = (uint16_t)(m->data_off + len);
	m->data_len = (uint16_t)(m->data_len - len);
	m->pkt_len = pkt_len;
	m->nb_segs = nb_segs;
	return m;
}

void
dtcp_mbuf_chain_keep(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t left = len;
	uint16_t nb_segs = 1;

	while (left > seg->data_len && seg->next != NULL) {
		left -= seg->data_len;
		seg = seg->next;
		nb_segs++;
	}
	seg->data_len = (uint16_t)RTE_MIN(left, (uint32_t)seg->data_len);
	rest = seg->next;
	seg->next = NULL;
	m->pkt_len = len;
	m->nb_segs = nb_segs;
	rte_pktmbuf_free(rest); /* follows ->next; NULL is fine */
}
