/* test-cli-import-interrupt.c: coursedrop-cli import cut short: a dropped
 * upload, SIGKILL and Ctrl+C, a journal that cannot be written or breaks
 * later, and an upload whose outcome is unknown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cd-sandbox.h"
#include "cd-test-util.h"
#include "import-test-util.h"

/* The connection drops half way through the upload: exit 4, nothing to
 * resume, and the journal says what happened. */
static void
test_cut_upload (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--fault", "cut-upload:1");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "big.zip", NULL);
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  CdTestRun run = { 0 };
  int fd;

  /* A 16 MiB zip-looking file, so the cut comes mid-body. */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "PK\003\004", 4), ==, 4);
  g_assert_cmpint (ftruncate (fd, 16 * 1024 * 1024), ==, 0);
  /* The end record of an empty archive: cd-package checks the structure. */
  g_assert_cmpint (pwrite (fd, "PK\005\006", 4, 16 * 1024 * 1024 - 22), ==, 4);
  g_close (fd, NULL);

  cd_test_cli_run (launcher, &run, "--course-package", path, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "127.0.0.1"));
  cd_test_run_clear (&run);

  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "big.zip"));
  g_assert_null (strstr (text, "\"finished\" : null"));

  /* The next try goes through. */
  cd_test_cli_run (launcher, &run, "--course-package", path, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* Reads the child's stdout until the header line, so a token exists. */
static char *
wait_for_header (GSubprocess *process)
{
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr(GError) error = NULL;
  char *line;

  /* The caller goes on reading the pipe. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Import job "));

  return line;
}

/* SIGKILL mid-poll loses nothing: the token is on disk and resume ends it. */
static void
test_killed_then_resumed (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:1,PROCESSING:3,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("kill me.zip");
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *header = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  CdTestRun run = { 0 };

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = cd_test_cli_spawn (launcher, "--course-package", zip, "--course-offering-id", "6606", NULL);
  header = wait_for_header (process);
  g_assert_cmpstr (header, ==, "Import job 8840 status:");
  g_usleep (1200 * 1000);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (process));

  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "8840"));

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Import job 8840 status:\n"));
  g_assert_true (g_str_has_suffix (run.out, "COMPLETED\n"));
  cd_test_run_clear (&run);

  /* Nothing left to resume, and no second upload happened. */
  cd_test_cli_run (launcher, &run, "resume", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 1);

  cd_test_sandbox_stop (sandbox);
}

/* Ctrl+C: exit 130, the job stays in the journal, the hint says how to go on. */
static void
test_interrupted (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:1,PROCESSING:30,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("interrupt.zip");
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *header = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  process = cd_test_cli_spawn (launcher, "--course-package", zip, "--course-offering-id", "6606", NULL);
  header = wait_for_header (process);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_nonnull (strstr (err, "--course-offering-id 6606 --job-token 8840"));

  cd_test_sandbox_stop (sandbox);
}

static void
wait_for_requests (CdTestSandbox *sandbox,
                   guint          count)
{
  while (cd_test_sandbox_count (sandbox, "requests") < count)
    g_usleep (20 * 1000);
}

/* Ctrl+C while the package is still going out: exit 130, and the attempt
 * is not left pending in the journal for ever. */
static void
test_interrupted_upload (void)
{
  /* The body is read slowly: Ctrl+C surely comes while it is going out,
   * however fast the machine (or slow the sanitizers). */
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--fault", "slow-read:1:1024");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "huge.zip", NULL);
  g_autofree char *journal = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "PK\003\004", 4), ==, 4);
  g_assert_cmpint (ftruncate (fd, 1024 * 1024 * 1024), ==, 0);
  /* The end record of an empty archive: cd-package checks the structure. */
  g_assert_cmpint (pwrite (fd, "PK\005\006", 4, 1024 * 1024 * 1024 - 22), ==, 4);
  g_close (fd, NULL);

  process = cd_test_cli_spawn (launcher, "--course-package", path, "--course-offering-id", "6606",
                               NULL);
  /* The versions, then the upload's first bytes. */
  wait_for_requests (sandbox, 2);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_nonnull (strstr (err, "nothing was imported"));
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 0);

  journal = cd_test_journal_path ();
  g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "huge.zip"));
  g_assert_null (strstr (text, "\"finished\" : null"));

  cd_test_sandbox_stop (sandbox);
}

/* A journal that cannot be written: no upload, exit 4, and the message
 * names the journal. */
static void
test_journal_unwritable (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("nowhere.zip");
  g_autofree char *journal = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (journal);
  g_autofree char *target = g_build_filename (g_get_user_data_dir (), "gone", "coursedrop", NULL);
  CdTestRun run = { 0 };

  /* The journal's folder is a link to nowhere: reading finds no journal
   * yet, and writing cannot work (not even as root). */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_cmpint (symlink (target, dir), ==, 0);

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606", NULL);
  g_assert_cmpint (run.status, ==, 4);
  g_assert_nonnull (strstr (run.err, journal));
  g_assert_nonnull (strstr (run.err, "Nothing was uploaded"));
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 0);

  cd_test_sandbox_stop (sandbox);
}

/* An upload whose outcome is unknown counts for the duplicate guard. */
static void
test_outcome_unknown_guard (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("maybe.zip");
  g_autofree char *journal = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (journal);
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *data = NULL;
  gsize length;
  CdTestRun run = { 0 };

  g_assert_true (g_file_get_contents (zip, &data, &length, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, length);
  contents = g_strdup_printf ("{\"version\": 1, \"jobs\": [{\"host\": \"%s\", \"offering\": 6606, "
                              "\"token\": null, \"package\": \"%s\", \"sha256\": \"%s\", "
                              "\"bytes\": %" G_GSIZE_FORMAT ", \"status\": \"OUTCOME_UNKNOWN\", "
                              "\"started\": null, \"finished\": null, \"error\": null}]}",
                              sandbox->url, zip, sha, length);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (journal, contents, -1, NULL));

  cd_test_cli_run (launcher, &run, "--course-package", zip, "--course-offering-id", "6606",
                   "--no-wait", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "may already have been imported"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* The journal's folder goes away after the token was saved: the job is
 * followed to its end, then a warning and exit 4. */
static void
test_journal_breaks_later (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:1,PROCESSING:1,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *zip = cd_test_make_zip ("later.zip");
  g_autofree char *journal = cd_test_journal_path ();
  g_autofree char *dir = g_path_get_dirname (journal);
  g_autofree char *moved = g_strconcat (dir, ".moved", NULL);
  g_autofree char *target = g_build_filename (g_get_user_data_dir (), "gone", "coursedrop", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *header = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  process = cd_test_cli_spawn (launcher, "--course-package", zip, "--course-offering-id", "6606", NULL);
  header = wait_for_header (process);
  g_assert_cmpint (g_rename (dir, moved), ==, 0);
  g_assert_cmpint (symlink (target, dir), ==, 0);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 4);
  g_assert_true (g_str_has_suffix (out, "COMPLETED\n"));
  g_assert_nonnull (strstr (err, "could not record the latest state of this job"));
  g_assert_nonnull (strstr (err, journal));

  cd_test_sandbox_stop (sandbox);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/import/cut-upload", test_cut_upload);
  g_test_add_func ("/cli/import/killed-then-resumed", test_killed_then_resumed);
  g_test_add_func ("/cli/import/interrupted", test_interrupted);
  g_test_add_func ("/cli/import/journal-breaks-later", test_journal_breaks_later);
  g_test_add_func ("/cli/import/interrupted-upload", test_interrupted_upload);
  g_test_add_func ("/cli/import/journal-unwritable", test_journal_unwritable);
  g_test_add_func ("/cli/import/outcome-unknown-guard", test_outcome_unknown_guard);

  return g_test_run ();
}
