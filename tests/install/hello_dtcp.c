/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An out-of-tree user of the installed libdtcp, built with
 *   cc hello_dtcp.c $(pkg-config --cflags --libs libdtcp)
 * It brings the stack up on a net_ring vdev, runs one poll (which sends the
 * gratuitous ARP) and checks the counter through the public API only.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <dtcp/dtcp.h>

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
		       "--no-telemetry", "--vdev", "net_ring0", NULL};
	char err[DTCP_CONFIG_ERR_LEN];
	uint64_t ctr[DTCP_CTR__MAX];
	struct dtcp_config cfg;
	struct dtcp_stack *s;

	(void)argc;
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		return 1;
	dtcp_config_init(&cfg);
	cfg.mbuf_pool_size = 2047;
	cfg.mbuf_cache_size = 32;
	cfg.rx_desc = 256;
	cfg.tx_desc = 256;
	if (dtcp_config_set(&cfg, "port0", "address", "198.18.0.2/24", err, sizeof(err)) != 0 ||
	    dtcp_config_set(&cfg, "port0", "mac", "02:00:00:00:00:02", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	s = dtcp_stack_create(&cfg);
	if (s == NULL) {
		fprintf(stderr, "dtcp_stack_create: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	dtcp_lcore_poll(dtcp_stack_lcore(s, 0), dtcp_time_us());
	dtcp_stack_counters(s, ctr);
	printf("%s %s=%llu\n", DTCP_VERSION, dtcp_counter_name(DTCP_CTR_ARP_TX_GRATUITOUS),
	       (unsigned long long)ctr[DTCP_CTR_ARP_TX_GRATUITOUS]);
	dtcp_stack_destroy(s);
	rte_eal_cleanup();
	return ctr[DTCP_CTR_ARP_TX_GRATUITOUS] == 1 ? 0 : 1;
}
