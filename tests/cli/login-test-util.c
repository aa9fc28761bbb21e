/* login-test-util.c: the sandbox with a callback port, launchers, the
 * browser for `coursedrop-cli login` and the checks that no key leaks,
 * shared by the coursedrop-cli login tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cd-sandbox.h"
#include "../cd-test-port.h"
#include "login-test-util.h"


void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->port = cd_test_free_port ();
  f->callback_url = g_strdup_printf ("http://127.0.0.1:%u/callback", f->port);
  f->logdir = g_dir_make_tmp ("test-cli-login-XXXXXX", &error);
  g_assert_no_error (error);
  if (g_strcmp0 (data, "tls") == 0)
    {
      f->cert = g_build_filename (f->logdir, "cert.pem", NULL);
      f->sandbox = cd_test_sandbox_start ("--auto-approve", "--trusted-url", f->callback_url,
                                          "--tls", "--cert-out", f->cert, NULL);
    }
  else
    f->sandbox = cd_test_sandbox_start ("--auto-approve", "--trusted-url", f->callback_url, NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  cd_credentials_clear (CD_CREDENTIAL_USER_KEY, f->sandbox->url, NULL, NULL, NULL, &error);
  cd_credentials_clear (CD_CREDENTIAL_APP_KEY, f->sandbox->url, NULL, NULL, NULL, &error);
  cd_test_sandbox_stop (f->sandbox);
  remove_tree (f->logdir);
  g_free (f->logdir);
  g_free (f->cert);
  g_free (f->callback_url);
}

/* No credentials in the environment; settings in a keyfile under the
 * test's XDG_CONFIG_HOME, shared by every process of the test. */
GSubprocessLauncher *
bare_launcher (void)
{
  GSubprocessLauncher *launcher = cd_test_cli_launcher (NULL);

  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  return launcher;
}

GSubprocessLauncher *
app_launcher (void)
{
  GSubprocessLauncher *launcher = bare_launcher ();

  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_ID", CD_SANDBOX_DEFAULT_APP_ID, TRUE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_APP_KEY", CD_SANDBOX_DEFAULT_APP_KEY, TRUE);
  return launcher;
}

void
assert_no_keys (const char *where,
                const char *text,
                gsize       len)
{
  const char *keys[] = { CD_SANDBOX_DEFAULT_APP_KEY, CD_SANDBOX_DEFAULT_USER_KEY };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_strstr_len (text, len, keys[i]) != NULL)
      g_error ("A key (%s) is in %s", keys[i], where);
}

/* Every file under @path, of any kind (settings, journal, caches, logs). */
guint
assert_no_keys_in_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint files = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          files += assert_no_keys_in_tree (child);
          continue;
        }
      if (!g_file_test (child, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (child, &contents, &len, NULL))
        continue;

      g_test_message ("checked %s (%" G_GSIZE_FORMAT " bytes)", child, len);
      assert_no_keys (child, contents, len);
      files++;
    }

  return files;
}

void
result_clear (Result *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Starts `coursedrop-cli login`, plays the browser on the address it
 * prints, and waits for it to exit. */
/* @page_status: what the callback page should answer; 0 not to browse. */
void
run_login (Fixture             *f,
           GSubprocessLauncher *launcher,
           guint                page_status,
           Result              *result,
           const char          *first_arg,
           ...)
{
  g_autofree char *err_path = g_build_filename (f->logdir, "login.err", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *url = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("CD_CLI"));
  g_ptr_array_add (argv, "login");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* Stderr to a file, so the test can watch for the address while the
   * command waits. */
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_set_stderr_file_path (launcher, NULL);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);

  while (page_status != 0 && url == NULL)
    {
      g_autofree char *text = NULL;
      const char *start;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
      if (!g_file_get_contents (err_path, &text, NULL, NULL))
        continue;

      /* The address is printed alone on an indented line. */
      start = strstr (text, "\n  http");
      if (start != NULL && strchr (start + 3, '\n') != NULL)
        url = g_strndup (start + 3, strcspn (start + 3, "\n"));
    }

  if (url != NULL)
    {
      g_autoptr(SoupSession) browser = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) page = NULL;

      /* The user's browser would ask; this one trusts the sandbox. */
      if (f->cert != NULL)
        {
          g_autoptr(GTlsDatabase) database = g_tls_file_database_new (f->cert, &error);

          g_assert_no_error (error);
          soup_session_set_tls_database (browser, database);
        }

      g_test_message ("browsing %s", url);
      page = soup_session_send_and_read (browser, msg, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, page_status);
      g_assert_cmpstr (g_uri_get_path (soup_message_get_uri (msg)), ==, "/callback");
      if (page_status == 200)
        g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                        "You are signed in"));
    }

  g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : 128 + g_subprocess_get_term_sig (process);
  result->out = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  result->err = read_file (err_path);
  g_test_message ("login: exit %d\nstdout: %s\nstderr: %s", result->status, result->out,
                  result->err);
  g_remove (err_path);
}

char *
keyfile_contents (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                            "keyfile", NULL);
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

char *
lookup (CdCredentialKind  kind,
        const char       *host)
{
  g_autoptr(GError) error = NULL;
  char *secret = cd_credentials_lookup (kind, host, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return secret;
}

/* What `secret-tool search` finds for our user keys: "" when none. */
char *
secret_tool_user_keys (void)
{
  g_autofree char *secret_tool = g_find_program_in_path ("secret-tool");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (secret_tool == NULL)
    return NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                              &error, secret_tool, "search", "--all", "xdg:schema",
                              "io.github.coursedrop.Coursedrop", "kind", "user-key", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  return out;
}
