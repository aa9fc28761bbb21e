/* cd-time-format.h: dates and times as people read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @when in the user's time zone and locale, relative when recent, as GNOME
 * apps do: "just now", "5 minutes ago", "today at 14:05:32", "yesterday at
 * 09:12:00", else the locale's date and time ("11/30/26 at 14:05:32").  The
 * one format of the window and of the CLI's human output; journals, JSON
 * and reports keep ISO 8601.  (transfer full) (nullable): NULL for NULL. */
char *cd_time_format    (GDateTime *when);
/* The same, relative to @now rather than the clock (for tests). */
char *cd_time_format_at (GDateTime *when,
                         GDateTime *now);

G_END_DECLS
