/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl/log.h"

RTE_LOG_REGISTER(dtcp_logtype_stack, lib.dtcp.stack, INFO);
RTE_LOG_REGISTER(dtcp_logtype_port, lib.dtcp.port, INFO);
RTE_LOG_REGISTER(dtcp_logtype_net, lib.dtcp.net, NOTICE);
