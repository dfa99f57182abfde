/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two lcores, two queues: what one lcore learns from ARP reaches the other
 * over the neighbour rings, because replies land on whichever queue the NIC
 * picks. Both lcores are polled from this thread in turn (deterministic).
 */
#include <string.h>

#include "core/lcore.h"
#include "dtcp_test.h"
#include "golden_frames.h"
#include "harness.h"

static void
test_arp_reply_on_other_queue_resolves(void)
{
	struct harness h;
	const uint64_t *c0, *c1;

	if (harness_up(&h, NULL, 64) != 0)
		return;
	CHECK_EQ(h.nb_queues, 2);
	/* Only lcore 0 announces. */
	harness_poll(&h, 0, 0);
	harness_expect(&h, 0, garp_out, sizeof(garp_out));
	harness_poll(&h, 1, 0);
	harness_expect_none(&h, 1);

	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	/* The reply arrives on queue 1: lcore 1 learns it and tells lcore 0. */
	harness_inject(&h, 1, arp_reply_from_peer_in, sizeof(arp_reply_from_peer_in));
	harness_poll(&h, 1, 1);
	harness_expect_none(&h, 1);
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);

	c0 = dtcp_lcore_counters(dtcp_stack_lcore(h.stack, 0));
	c1 = dtcp_lcore_counters(dtcp_stack_lcore(h.stack, 1));
	CHECK_EQ(c1[DTCP_CTR_ARP_RX_REPLIES], 1);
	CHECK_EQ(c0[DTCP_CTR_ARP_SHARED_IN], 1);
	CHECK_EQ(c1[DTCP_CTR_ARP_SHARED_IN], 0);
	CHECK_EQ(c0[DTCP_CTR_ICMP_TX_ECHO_REPLIES], 1);
	harness_down(&h);
}

static void
test_arp_request_on_one_queue_teaches_all(void)
{
	struct harness h;

	if (harness_up(&h, NULL, 64) != 0)
		return;
	harness_poll(&h, 0, 0);
	harness_expect(&h, 0, garp_out, sizeof(garp_out));
	/* Request on queue 1 is answered there... */
	harness_inject(&h, 1, arp_request_in, sizeof(arp_request_in));
	harness_poll(&h, 1, 1);
	harness_expect(&h, 1, arp_reply_out, sizeof(arp_reply_out));
	/* ...and lcore 0 answers pings without asking ARP itself. */
	harness_poll(&h, 0, 1);
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);
	harness_expect_none(&h, 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_TX_REQUESTS), 0);
	harness_down(&h);
}

int
main(int argc, char **argv)
{
	(void)argc;
	/* Two lcores on one CPU: the test drives both loops from the main thread. */
	harness_eal_init(argv[0], "0@0,1@0");
	RUN_TEST(test_arp_reply_on_other_queue_resolves);
	RUN_TEST(test_arp_request_on_one_queue_teaches_all);
	rte_eal_cleanup();
	return TEST_EXIT();
}
