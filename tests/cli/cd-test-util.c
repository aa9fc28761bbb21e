/* cd-test-util.c: run the real sandbox and the real CLI as processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <sys/prctl.h>

#include "cd-sandbox.h"
#include "cd-test-util.h"

static gpointer
drain_thread (gpointer data)
{
  GInputStream *stream = data;
  char buffer[4096];

  while (g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL) > 0)
    ;

  g_object_unref (stream);
  return NULL;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

CdTestSandbox *
cd_test_sandbox_start (const char *first_arg,
                       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;
  CdTestSandbox *sandbox;
  va_list args;

  g_ptr_array_add (argv, (char *)g_getenv ("CD_SANDBOX"));
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_nonnull (g_ptr_array_index (argv, 0));

  sandbox = g_new0 (CdTestSandbox, 1);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A failed assertion aborts the test without stopping the sandbox; it
   * must not outlive us and keep meson waiting on the pipe. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sandbox->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata,
                                                   &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sandbox->process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on "));
  sandbox->url = g_strdup (line + strlen ("Listening on "));

  sandbox->drain = g_thread_new ("sandbox-stdout", drain_thread, g_object_ref (lines));

  return sandbox;
}

void
cd_test_sandbox_stop (CdTestSandbox *sandbox)
{
  if (sandbox == NULL)
    return;

  g_subprocess_send_signal (sandbox->process, SIGTERM);
  g_subprocess_wait (sandbox->process, NULL, NULL);
  g_thread_join (sandbox->drain);
  g_clear_object (&sandbox->process);
  g_free (sandbox->url);
  g_free (sandbox);
}

void
cd_test_run_clear (CdTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  run->status = -1;
}

GSubprocessLauncher *
cd_test_cli_launcher (CdTestSandbox *sandbox)
{
  GSubprocessLauncher *launcher;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_HOST");
  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_APP_ID");
  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_APP_KEY");
  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_USER_ID");
  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_USER_KEY");
  g_subprocess_launcher_unsetenv (launcher, "COURSEDROP_CA_FILE");
  /* G_TEST_OPTION_ISOLATE_DIRS points only this process at the test's own
   * directories; children would see /dev/null. */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");

  if (sandbox != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "COURSEDROP_HOST", sandbox->url, TRUE);
      g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_ID", CD_SANDBOX_DEFAULT_APP_ID, TRUE);
      g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_KEY", CD_SANDBOX_DEFAULT_APP_KEY, TRUE);
      g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_ID", CD_SANDBOX_DEFAULT_USER_ID, TRUE);
      g_subprocess_launcher_setenv (launcher, "COURSEDROP_USER_KEY", CD_SANDBOX_DEFAULT_USER_KEY, TRUE);
    }

  return launcher;
}

void
cd_test_cli_runv (GSubprocessLauncher *launcher,
                  CdTestRun           *run,
                  const char * const  *argv)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (full, (char *)g_getenv ("CD_CLI"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, (char *)argv[i]);
  g_ptr_array_add (full, NULL);
  g_assert_nonnull (g_ptr_array_index (full, 0));

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)full->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_exited (process))
    run->status = g_subprocess_get_exit_status (process);
  else
    run->status = 128 + g_subprocess_get_term_sig (process);

  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

void
cd_test_cli_run (GSubprocessLauncher *launcher,
                 CdTestRun           *run,
                 const char          *first_arg,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  cd_test_cli_runv (launcher, run, (const char * const *)argv->pdata);
}

int
cd_test_curl_status (const char *url)
{
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);

  return (int)g_ascii_strtoll (out, NULL, 10);
}

JsonNode *
cd_test_sandbox_get_json (CdTestSandbox *sandbox,
                          const char    *path)
{
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *url = g_strconcat (sandbox->url, path, NULL);
  g_autofree char *out = NULL;

  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           "curl", "-s", "--cacert", "/dev/null", "-k", url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

guint
cd_test_sandbox_count (CdTestSandbox *sandbox,
                       const char    *what)
{
  g_autoptr(JsonNode) stats = cd_test_sandbox_get_json (sandbox, "/_sandbox/stats");

  return (guint)json_object_get_int_member (json_node_get_object (stats), what);
}

/* One stored file, "imsmanifest.xml", in a real zip archive. */
char *
cd_test_make_zip (const char *name)
{
  static const char manifest[] = "<manifest/>\n";
  g_autoptr(GByteArray) zip = g_byte_array_new ();
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "packages", NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  const char *entry = "imsmanifest.xml";
  guint32 crc = 0;
  guint32 size = sizeof manifest - 1;
  guint16 name_len = (guint16)strlen (entry);
  guint32 central_offset;
  guint32 central_size;

#define U16(v) do { guint16 x = GUINT16_TO_LE (v); g_byte_array_append (zip, (guint8 *)&x, 2); } while (0)
#define U32(v) do { guint32 x = GUINT32_TO_LE (v); g_byte_array_append (zip, (guint8 *)&x, 4); } while (0)

  /* CRC-32 (IEEE), bit by bit: the file is tiny. */
  crc = 0xFFFFFFFFu;
  for (guint i = 0; i < size; i++)
    {
      crc ^= (guint8)manifest[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  crc ^= 0xFFFFFFFFu;

  U32 (0x04034b50); U16 (20); U16 (0); U16 (0); U16 (0); U16 (0);
  U32 (crc); U32 (size); U32 (size); U16 (name_len); U16 (0);
  g_byte_array_append (zip, (const guint8 *)entry, name_len);
  g_byte_array_append (zip, (const guint8 *)manifest, size);

  central_offset = zip->len;
  U32 (0x02014b50); U16 (20); U16 (20); U16 (0); U16 (0); U16 (0); U16 (0);
  U32 (crc); U32 (size); U32 (size); U16 (name_len); U16 (0); U16 (0); U16 (0); U16 (0);
  U32 (0); U32 (0);
  g_byte_array_append (zip, (const guint8 *)entry, name_len);

  central_size = zip->len - central_offset;
  U32 (0x06054b50); U16 (0); U16 (0); U16 (1); U16 (1);
  U32 (central_size); U32 (central_offset); U16 (0);

#undef U16
#undef U32

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (const char *)zip->data, zip->len, &error);
  g_assert_no_error (error);

  return path;
}

GSubprocess *
cd_test_cli_spawn (GSubprocessLauncher *launcher,
                   const char          *first_arg,
                   ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  va_list args;

  g_ptr_array_add (argv, (char *)g_getenv ("CD_CLI"));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

char *
cd_test_journal_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "coursedrop", "jobs.json", NULL);
}
