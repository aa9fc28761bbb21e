/* test-time-format.c: the one date format of the window and the CLI
 *
 * Every moment is derived from today's date (never a fixed one), so the
 * test passes under faketime.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>

#include "cd-time-format.h"

/* Today (by the clock) at @hour:@minute:32, local time. */
static GDateTime *
today_at (int hour,
          int minute)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                g_date_time_get_day_of_month (now), hour, minute, 32);
}

/* "@day at TIME", @day NULL for the locale's date of @when. */
static char *
expected (const char *day,
          GDateTime  *when)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (when);
  g_autofree char *time = g_date_time_format (local, "%X");
  g_autofree char *date = g_date_time_format (local, "%x");

  return g_strdup_printf ("%s at %s", day != NULL ? day : date, time);
}

static void
check (GDateTime  *when,
       GDateTime  *now,
       const char *want)
{
  g_autofree char *text = cd_time_format_at (when, now);

  g_assert_cmpstr (text, ==, want);
}

static void
test_relative (void)
{
  g_autoptr(GDateTime) now = today_at (14, 5);
  g_autoptr(GDateTime) seconds_ago = g_date_time_add_seconds (now, -30);
  g_autoptr(GDateTime) ahead = g_date_time_add_seconds (now, 40);
  g_autoptr(GDateTime) one_minute = g_date_time_add_seconds (now, -61);
  g_autoptr(GDateTime) five_minutes = g_date_time_add_seconds (now, -5 * 60 - 10);
  g_autoptr(GDateTime) hour_ago = g_date_time_add_minutes (now, -59);

  check (seconds_ago, now, "just now");
  check (ahead, now, "just now");
  check (one_minute, now, "1 minute ago");
  check (five_minutes, now, "5 minutes ago");
  check (hour_ago, now, "59 minutes ago");
}

static void
test_days (void)
{
  g_autoptr(GDateTime) now = today_at (14, 5);
  g_autoptr(GDateTime) morning = g_date_time_add_hours (now, -5);
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 3);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) older = g_date_time_add_days (now, -10);
  g_autoptr(GDateTime) utc = g_date_time_to_utc (morning);
  g_autofree char *today_text = expected ("today", morning);
  g_autofree char *later_text = expected ("today", later);
  g_autofree char *yesterday_text = expected ("yesterday", yesterday);
  g_autofree char *older_text = expected (NULL, older);

  check (morning, now, today_text);
  check (later, now, later_text);
  check (yesterday, now, yesterday_text);
  check (older, now, older_text);
  /* Journals keep UTC; people read their own time zone. */
  check (utc, now, today_text);
}

/* Relative words win across midnight; the day words follow the calendar. */
static void
test_midnight (void)
{
  g_autoptr(GDateTime) now = today_at (0, 10);
  g_autoptr(GDateTime) before_midnight = g_date_time_add_minutes (now, -20);
  g_autoptr(GDateTime) late_evening = g_date_time_add_hours (now, -2);
  g_autofree char *evening_text = expected ("yesterday", late_evening);

  check (before_midnight, now, "20 minutes ago");
  check (late_evening, now, evening_text);
}

static void
test_clock (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) moment = g_date_time_add_seconds (now, -2);
  g_autofree char *text = cd_time_format (moment);

  g_assert_cmpstr (text, ==, "just now");
  g_assert_null (cd_time_format (NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/time-format/relative", test_relative);
  g_test_add_func ("/time-format/days", test_days);
  g_test_add_func ("/time-format/midnight", test_midnight);
  g_test_add_func ("/time-format/clock", test_clock);

  return g_test_run ();
}
