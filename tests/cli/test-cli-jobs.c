/* test-cli-jobs.c: coursedrop-cli jobs tells sites and failed attempts
 * apart and prints dates as people read them; following a job whose
 * server refuses says so once per attempt
 *
 * Every date is derived from now (the suite passes under faketime).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>
#include <string.h>

#include "cd-sandbox.h"
#include "cd-test-util.h"
#include "cd-time-format.h"

static void
write_journal (const char *contents)
{
  g_autofree char *path = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static char *
iso_ago (GTimeSpan ago)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add (now, -ago);

  return g_date_time_format_iso8601 (then);
}

/* The line of the listing that holds both @a and @b, or NULL. */
static char *
line_with (const char *text,
           const char *a,
           const char *b)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], a) != NULL && (b == NULL || strstr (lines[i], b) != NULL))
      return g_strdup (lines[i]);

  return NULL;
}

static void
test_hosts_failures_dates (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  g_autofree char *three_days = iso_ago (3 * G_TIME_SPAN_DAY);
  g_autofree char *five_minutes = iso_ago (5 * G_TIME_SPAN_MINUTE + 10 * G_TIME_SPAN_SECOND);
  g_autofree char *just_now = iso_ago (5 * G_TIME_SPAN_SECOND);
  g_autoptr(GDateTime) then = NULL;
  g_autofree char *old_text = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *line = NULL;
  CdTestRun run = { 0 };

  /* Two sites that both numbered a job 8840, and an upload that never
   * became a job. */
  journal = g_strdup_printf (
    "{\"version\": 1, \"jobs\": ["
    "{\"host\": \"https://north.example.edu\", \"offering\": 6606, \"token\": \"8840\","
    " \"package\": \"/tmp/Week 1.imscc\", \"status\": \"COMPLETED\", \"started\": \"%s\","
    " \"finished\": \"%s\"},"
    "{\"host\": \"https://south.example.edu:8443\", \"offering\": 777, \"token\": \"8840\","
    " \"package\": \"/tmp/Week 2.imscc\", \"status\": \"PROCESSING\", \"started\": \"%s\"},"
    "{\"host\": \"https://north.example.edu\", \"offering\": 12345, \"token\": null,"
    " \"package\": \"/tmp/Week 3.imscc\", \"started\": \"%s\", \"finished\": \"%s\","
    " \"error\": \"The connection was refused.\"}]}",
    three_days, three_days, five_minutes, just_now, just_now);
  write_journal (journal);

  cd_test_cli_run (launcher, &run, "jobs", NULL);
  g_test_message ("stdout:\n%s\nstderr:\n%s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 0);

  /* A Host column tells the two jobs 8840 apart. */
  g_assert_nonnull (strstr (run.out, "Host"));
  line = line_with (run.out, "north.example.edu", "8840");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "COMPLETED"));
  g_clear_pointer (&line, g_free);
  line = line_with (run.out, "south.example.edu:8443", "8840");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "PROCESSING"));
  g_clear_pointer (&line, g_free);
  g_assert_null (strstr (run.out, "https://"));

  /* The failed attempt says what became of it, not a bare dash. */
  line = line_with (run.out, "Week 3.imscc", NULL);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "upload failed — no job"));
  g_assert_null (strstr (line, " - "));
  g_assert_nonnull (strstr (run.out, "The connection was refused."));

  /* Dates for people: relative when recent, else the locale's format
   * through the one formatter; never ISO 8601 here. */
  g_assert_nonnull (strstr (line, "just now"));
  g_clear_pointer (&line, g_free);
  line = line_with (run.out, "Week 2.imscc", NULL);
  g_assert_nonnull (strstr (line, "5 minutes ago"));
  g_assert_true (g_str_has_prefix (line, "5 minutes ago"));
  then = g_date_time_new_from_iso8601 (three_days, NULL);
  old_text = cd_time_format (then);
  g_clear_pointer (&line, g_free);
  line = line_with (run.out, "Week 1.imscc", NULL);
  g_assert_true (g_str_has_prefix (line, old_text));
  /* Not even the ISO date: "2026-11-30T…" or "2026-11-30 …". */
  three_days[10] = '\0';
  g_assert_null (strstr (run.out, three_days));
  cd_test_run_clear (&run);

  /* JSON keeps the journal's ISO 8601. */
  cd_test_cli_run (launcher, &run, "jobs", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, three_days));
  g_assert_nonnull (strstr (run.out, "T"));
  cd_test_run_clear (&run);

  /* --help says how sites are told apart. */
  cd_test_cli_run (launcher, &run, "jobs", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Host column"));
  cd_test_run_clear (&run);
}

/* A URL on loopback where nothing listens. */
static char *
dead_url (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  char *url;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  return url;
}

static void
test_unreachable (void)
{
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (NULL);
  g_autofree char *url = dead_url ();
  g_autofree char *expected = g_strdup_printf ("Cannot reach %s: connection refused. Retrying in ",
                                               url + strlen ("http://"));
  g_auto(GStrv) lines = NULL;
  guint attempts = 0;
  CdTestRun run = { 0 };

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_HOST", url, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_ID", CD_SANDBOX_DEFAULT_APP_ID, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_KEY", CD_SANDBOX_DEFAULT_APP_KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_ID", CD_SANDBOX_DEFAULT_USER_ID, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", CD_SANDBOX_DEFAULT_USER_KEY, TRUE);

  cd_test_cli_run (launcher, &run, "--course-offering-id", "6606", "--job-token", "8840",
                   "--le-version", "1.67", NULL);
  g_test_message ("stderr:\n%s", run.err);
  /* It gives up (needs attention) as a network failure. */
  g_assert_cmpint (run.status, ==, 4);
  g_assert_null (strstr (run.err, "did not answer as expected"));

  /* One line per attempt, each with the host, the reason and the wait. */
  lines = g_strsplit (run.err, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "Retrying") != NULL)
      {
        g_assert_true (g_str_has_prefix (lines[i], expected));
        g_assert_true (g_str_has_suffix (lines[i], " s…"));
        attempts++;
      }
  g_assert_cmpuint (attempts, >=, 2);
  g_assert_cmpuint (attempts, <=, 10);
  cd_test_run_clear (&run);

  /* A job followed by its token has no start Coursedrop could know. */
  cd_test_cli_run (launcher, &run, "jobs", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "8840"));
  g_assert_null (strstr (run.out, "just now"));
  cd_test_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  /* As the CLI runs (cd_test_cli_launcher): the same words for dates. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/jobs/hosts-failures-dates", test_hosts_failures_dates);
  g_test_add_func ("/cli/jobs/unreachable", test_unreachable);

  return g_test_run ();
}
