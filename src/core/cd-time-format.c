/* cd-time-format.c: dates and times as people read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-time-format.h"

/* Whether @a and @b (both local) fall on the same calendar day. */
static gboolean
same_day (GDateTime *a,
          GDateTime *b)
{
  return g_date_time_get_year (a) == g_date_time_get_year (b) &&
         g_date_time_get_day_of_year (a) == g_date_time_get_day_of_year (b);
}

char *
cd_time_format_at (GDateTime *when,
                   GDateTime *now)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) yesterday = NULL;
  g_autofree char *time = NULL;
  g_autofree char *date = NULL;
  GTimeSpan ago;

  g_return_val_if_fail (now != NULL, NULL);

  if (when == NULL)
    return NULL;

  local = g_date_time_to_local (when);
  local_now = g_date_time_to_local (now);
  ago = g_date_time_difference (local_now, local);

  /* A little in the future is a clock a few seconds off, not the future. */
  if (ago > -G_TIME_SPAN_MINUTE && ago < G_TIME_SPAN_MINUTE)
    return g_strdup (_("just now"));

  if (ago > 0 && ago < G_TIME_SPAN_HOUR)
    {
      int minutes = (int) (ago / G_TIME_SPAN_MINUTE);

      return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago", minutes), minutes);
    }

  /* The locale's own time and date: the user's, not ours. */
  time = g_date_time_format (local, "%X");

  if (same_day (local, local_now))
    /* Translators: %s is a time of day in the locale's format. */
    return g_strdup_printf (_("today at %s"), time);

  yesterday = g_date_time_add_days (local_now, -1);
  if (same_day (local, yesterday))
    /* Translators: %s is a time of day in the locale's format. */
    return g_strdup_printf (_("yesterday at %s"), time);

  date = g_date_time_format (local, "%x");
  /* Translators: a date, then a time of day, both in the locale's format. */
  return g_strdup_printf (_("%s at %s"), date, time);
}

char *
cd_time_format (GDateTime *when)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return cd_time_format_at (when, now);
}
