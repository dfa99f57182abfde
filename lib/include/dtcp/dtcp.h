/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dtcp public API: include this one header.
 *
 * dtcp is a user-space TCP/IPv4 stack for DPDK programs. See dtcp_stack.h for
 * the run model, dtcp_config.h for configuration and dtcp_counters.h for the
 * counters every lcore keeps.
 */
#ifndef DTCP_H
#define DTCP_H

#include <dtcp/dtcp_config.h>
#include <dtcp/dtcp_counters.h>
#include <dtcp/dtcp_stack.h>
#include <dtcp/dtcp_tcp.h>
#include <dtcp/dtcp_version.h>

#endif /* DTCP_H */
