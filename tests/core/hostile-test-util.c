/* hostile-test-util.c: the sandbox, an ID-Key client and the client calls
 * run to their end, shared by the hostile-server tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include <glib/gstdio.h>

#include "hostile-test-util.h"

static gboolean
watchdog_cb (gpointer user_data)
{
  g_error ("Test did not finish in time");
  return G_SOURCE_REMOVE;
}

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  f->tmpdir = g_dir_make_tmp ("test-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  f->loop = g_main_loop_new (NULL, FALSE);
  f->watchdog = g_timeout_add_seconds (60, watchdog_cb, NULL);

  cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error);
  g_assert_no_error (error);

  context = cd_idkey_context_new (CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_APP_KEY,
                                  CD_SANDBOX_DEFAULT_USER_ID, CD_SANDBOX_DEFAULT_USER_KEY);
  f->client = cd_client_new (cd_sandbox_get_url (f->sandbox), context, &error);
  g_assert_no_error (error);
  cd_client_set_retry_policy (f->client, 4, 10, 40);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_object_add_weak_pointer (G_OBJECT (f->client), (gpointer *) &f->client);
  g_object_unref (f->client);
  /* Nothing (a task, a timer) may still hold the client. */
  g_assert_null (f->client);

  g_clear_object (&f->sandbox);
  g_clear_object (&f->result);
  g_clear_pointer (&f->loop, g_main_loop_unref);
  g_source_remove (f->watchdog);

  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_rmdir (f->tmpdir);
  g_free (f->tmpdir);
}

void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
  g_main_loop_quit (f->loop);
}

GAsyncResult *
wait_result (Fixture *f)
{
  if (f->result == NULL)
    g_main_loop_run (f->loop);
  g_assert_nonnull (f->result);

  return g_steal_pointer (&f->result);
}

JsonObject *
run_whoami (Fixture  *f,
            GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_whoami_async (f->client, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_whoami_finish (f->client, result, error);
}

char *
run_status (Fixture     *f,
            const char  *token,
            guint       *retry_after_ms,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_get_import_status_async (f->client, 6606, token, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_get_import_status_finish (f->client, result, retry_after_ms, error);
}

GPtrArray *
run_logs (Fixture     *f,
          const char  *token,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_get_import_logs_async (f->client, 6606, token, NULL, result_cb, f);
  result = wait_result (f);

  return cd_client_get_import_logs_finish (f->client, result, error);
}

/* A package of @size bytes (sparse beyond the zip signature). */
char *
make_package (Fixture *f,
              goffset  size)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "week1.zip", NULL);

  g_assert_true (g_file_set_contents (path, "PK\003\004", 4, NULL));
  g_assert_cmpint (truncate (path, size), ==, 0);

  return g_steal_pointer (&path);
}

char *
run_import (Fixture               *f,
            const char            *path,
            CdUploadProgressFunc   progress,
            gpointer               progress_data,
            GCancellable          *cancellable,
            GError               **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  cd_client_start_import_async (f->client, file, 6606, NULL, progress, progress_data, NULL,
                                cancellable, result_cb, f);
  result = wait_result (f);

  return cd_client_start_import_finish (f->client, result, error);
}

/* Lets the sandbox notice closed connections, in the same main context. */
void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}
