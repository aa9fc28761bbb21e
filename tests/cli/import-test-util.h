/* import-test-util.h: the sandbox process and timelines shared by the
 * coursedrop-cli import tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-test-util.h"

/* Stages of 3 s: the poller (at most 1.65 s between polls, when the
 * machine is not overloaded) sees each one. */
#define STEADY_TIMELINE "UPLOADING:3,PROCESSING:3,IMPORTING:3,COMPLETED"
#define FAST_TIMELINE "UPLOADING:0.2,PROCESSING:0.2,COMPLETED"
#define FAILING "777=UPLOADING:0.2,PROCESSING:0.2,IMPORTFAILED"

/* The sandbox with the usual offerings (6606, a failing 777, a forbidden
 * 4242), @timeline and one more option @extra (may be NULL). */
CdTestSandbox *
start_sandbox (const char *timeline,
               const char *extra,
               const char *extra_value);
