/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering telemetry:
 *   /dtcp/steer  per port, how flows find their lcore ("hardware" RSS
 *                trusted, or "software" Toeplitz + RETA) and the RETA size;
 *                per lcore, the connections it owns (every state but LISTEN
 *                and TIME_WAIT), its TIME_WAIT entries, the segments it
 *                passed to owners and received from other lcores, and the
 *                ones a full ring dropped. An even spread of "conns" is what
 *                RSS-aware ports and the RETA are for.
 * Scalar reads of live lcores, as for /dtcp/conns (telemetry_tcp.c).
 */
#include <errno.h>
#include <stdio.h>

#include <rte_telemetry.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "ctl/telemetry.h"

static int
cmd_steer(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct dtcp_stack *s = dtcp_telemetry_stack();
	char key[RTE_TEL_MAX_STRING_LEN];

	if (s == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	for (uint16_t p = 0; p < s->nb_ports; p++) {
		const struct dtcp_steer_reta *r = &s->steer.reta[p];
		struct rte_tel_data *e = rte_tel_data_alloc();

		if (e == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "mode", r->hw ? "hardware" : "software");
		rte_tel_data_add_dict_u64(e, "reta_size", r->mask + 1u);
		snprintf(key, sizeof(key), "port%u", s->ports[p].port_id);
		if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
			rte_tel_data_free(e);
	}
	for (unsigned int i = 0; i < s->nb_lcores; i++) {
		const struct dtcp_lcore *lc = s->lcores[i];
		struct rte_tel_data *e = rte_tel_data_alloc();
		uint64_t conns = 0;

		if (e == NULL)
			return -ENOMEM;
		for (unsigned int st = DTCP_TCP_SYN_SENT; st < DTCP_TCP_STATE__MAX; st++)
			if (st != DTCP_TCP_TIME_WAIT)
				conns += lc->tcp.state_count[st];
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_u64(e, "conns", conns);
		rte_tel_data_add_dict_u64(e, "time_wait", lc->tcp.state_count[DTCP_TCP_TIME_WAIT]);
		rte_tel_data_add_dict_u64(e, "steered_out", lc->ctr[DTCP_CTR_TCP_STEERED_OUT]);
		rte_tel_data_add_dict_u64(e, "steered_in", lc->ctr[DTCP_CTR_TCP_STEERED_IN]);
		rte_tel_data_add_dict_u64(e, "drop_steer_full", lc->ctr[DTCP_CTR_DROP_STEER_FULL]);
		snprintf(key, sizeof(key), "lcore%u", i);
		if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
			rte_tel_data_free(e);
	}
	return 0;
}

void
dtcp_telemetry_steer_register(void)
{
	rte_telemetry_register_cmd("/dtcp/steer", cmd_steer,
				   "dtcp flow steering: mode per port, owned connections and "
				   "hand-offs per lcore. No params");
}
