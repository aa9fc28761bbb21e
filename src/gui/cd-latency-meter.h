/* cd-latency-meter.h: how late the main loop runs (COURSEDROP_MEASURE_LATENCY)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-session.h"

G_BEGIN_DECLS

typedef struct _CdLatencyMeter CdLatencyMeter;

/* NULL unless COURSEDROP_MEASURE_LATENCY=1: then measures until freed,
 * telling apart the time while @session uploads. */
CdLatencyMeter *cd_latency_meter_new_from_environment (CdSession      *session);
/* Prints the worst lateness to stderr and stops. */
void            cd_latency_meter_free                 (CdLatencyMeter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdLatencyMeter, cd_latency_meter_free)

G_END_DECLS
