/* cd-log-window.h: an import job's log, errors and warnings first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cd-import-job.h"

G_BEGIN_DECLS

#define CD_TYPE_LOG_WINDOW (cd_log_window_get_type ())

G_DECLARE_FINAL_TYPE (CdLogWindow, cd_log_window, CD, LOG_WINDOW, AdwWindow)

CdLogWindow *cd_log_window_new (CdImportJob *job) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
