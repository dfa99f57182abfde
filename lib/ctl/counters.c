/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include <rte_common.h>

#include <dtcp/dtcp_counters.h>

static const char *const counter_names[DTCP_CTR__MAX] = {
#define DTCP_COUNTER_NAME(id, name, desc) [DTCP_CTR_##id] = name,
	DTCP_COUNTER_LIST(DTCP_COUNTER_NAME)
#undef DTCP_COUNTER_NAME
};

static const char *const counter_descriptions[DTCP_CTR__MAX] = {
#define DTCP_COUNTER_DESC(id, name, desc) [DTCP_CTR_##id] = desc,
	DTCP_COUNTER_LIST(DTCP_COUNTER_DESC)
#undef DTCP_COUNTER_DESC
};

const char *
dtcp_counter_name(enum dtcp_counter id)
{
	return (unsigned int)id < DTCP_CTR__MAX ? counter_names[id] : NULL;
}

const char *
dtcp_counter_description(enum dtcp_counter id)
{
	return (unsigned int)id < DTCP_CTR__MAX ? counter_descriptions[id] : NULL;
}
