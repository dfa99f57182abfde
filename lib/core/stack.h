/* SPDX-License-Identifier: BSD-3-Clause */
/* The stack object: configuration, ports, pools and the per-lcore contexts. */
#ifndef DTCP_CORE_STACK_H
#define DTCP_CORE_STACK_H

#include <stdbool.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include <dtcp/dtcp_stack.h>
#include <dtcp/dtcp_tcp.h>

#include "port/port.h"
#include "steer/steer.h"

struct dtcp_stack {
	struct dtcp_config cfg;
	uint16_t nb_ports;
	struct dtcp_port ports[DTCP_MAX_PORTS];
	unsigned int nb_lcores;
	struct dtcp_lcore **lcores; /**< [nb_lcores], each on its own socket */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	struct dtcp_steer steer;       /**< flow -> owner lcore, per port (steer/steer.h) */
	struct rte_ring **steer_rings; /**< [nb_lcores * nb_lcores], from*n + to */
	struct rte_ring **arp_rings;   /**< [nb_lcores * nb_lcores], from*n + to */
	bool pdump_enabled;
	struct dtcp_app app; /**< application run in every loop */
	volatile int stop;   /**< set by dtcp_stack_stop() */
};

/** Telemetry: register the /dtcp commands for this stack (once per process). */
int dtcp_telemetry_attach(struct dtcp_stack *stack);

/** Telemetry: forget the stack (commands then answer with an error). */
void dtcp_telemetry_detach(struct dtcp_stack *stack);

#endif
