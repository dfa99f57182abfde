/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dtcp-lb's reports: telemetry commands and the final JSON line.
 *
 *   /dtcp_lb/stats     the global counters summed over lcores (lb_proxy.h)
 *   /dtcp_lb/backends  a dict keyed "backend0", "backend1", ... with each
 *                      backend's addr, port, state, counters and checks
 *
 * Both are read from their own thread (telemetry) or after the lcores have
 * stopped (the JSON line): per-lcore counters are summed with plain 64-bit
 * loads, backend states read with atomic loads, nothing is written.
 */
#ifndef DTCP_LB_TELEMETRY_H
#define DTCP_LB_TELEMETRY_H

#include <stdio.h>

#include "lb_proxy.h"

/**
 * Register the commands (once per process) and point them at @p px.
 * rte_telemetry handlers take no user pointer in DPDK 22.11, so the proxy is
 * kept in one file-scope pointer, written here and by lb_telemetry_detach()
 * only, never on the data path.
 *
 * @param px the proxy.
 * @return 0, or a negative errno from rte_telemetry_register_cmd().
 */
int lb_telemetry_attach(const struct lb_proxy *px);

/** Stop answering (the commands then return -ENODEV). */
void lb_telemetry_detach(void);

/**
 * Print the final report: one line, one JSON object,
 * {"lb": {counters}, "backends": [{"addr", "port", "state", counters, checks}, ...]}.
 *
 * @param f where to.
 * @param px the proxy (lcores stopped).
 */
void lb_report_json(FILE *f, const struct lb_proxy *px);

#endif
