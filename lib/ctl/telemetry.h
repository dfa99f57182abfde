/* SPDX-License-Identifier: BSD-3-Clause */
/* Telemetry command files share the process-wide stack pointer (see telemetry.c). */
#ifndef DTCP_CTL_TELEMETRY_H
#define DTCP_CTL_TELEMETRY_H

struct dtcp_stack;

/** The stack telemetry reports on, or NULL. */
const struct dtcp_stack *dtcp_telemetry_stack(void);

/** Register the TCP commands (called once, by dtcp_telemetry_attach()). */
void dtcp_telemetry_tcp_register(void);

/** Register /dtcp/steer (called once, by dtcp_telemetry_attach()). */
void dtcp_telemetry_steer_register(void);

#endif
