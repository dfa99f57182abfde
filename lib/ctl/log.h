/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log types, registered with rte_log so they can be tuned at run time with the
 * EAL option --log-level=lib.dtcp.<type>:<level>.
 */
#ifndef DTCP_LOG_H
#define DTCP_LOG_H

#include <rte_log.h>

extern int dtcp_logtype_stack; /* lib.dtcp.stack: lifecycle, lcores */
extern int dtcp_logtype_port;  /* lib.dtcp.port: ethdev setup, offloads */
extern int dtcp_logtype_net;   /* lib.dtcp.net: ARP, IPv4, ICMP (never per packet at INFO) */

#define DTCP_LOG(level, type, fmt, ...)                                                            \
	rte_log(RTE_LOG_##level, dtcp_logtype_##type, "dtcp: " fmt "\n", ##__VA_ARGS__)

#endif
