/* cd-demo.c: the local Brightspace sandbox behind `coursedrop --demo`
 *
 * The sandbox is a child process, signed in to with OAuth 2.0: it accepts
 * one bearer token, made here from GnuTLS's CSPRNG and handed over in its
 * environment (never argv), until it stops.  The token lives only in
 * memory: a demo leaves nothing in the keyring.  ID-Key is refused, so
 * the demo shows the way schools sign in today.
 *
 * Its address arrives as the first line
 * on its standard output, read asynchronously so the window stays live;
 * the rest of its output is drained so that it never blocks on a full
 * pipe.  The child dies with us: SIGTERM on shutdown, and PDEATHSIG on
 * Linux for a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cd-demo.h"
#include "cd-gui-util.h"

#define LISTENING_PREFIX "Listening on "
#define START_TIMEOUT_SECONDS 15

struct _CdDemo
{
  GObject           parent_instance;

  GSubprocess      *process;   /* (owned) (nullable) */
  GDataInputStream *output;    /* (owned) (nullable) */
  GCancellable     *draining;  /* (owned) */
  char             *journal_dir;  /* (owned) (nullable) */
  CdSecret         *access_token; /* (owned) */
};

G_DEFINE_FINAL_TYPE (CdDemo, cd_demo, G_TYPE_OBJECT)

/* The timeline shows every stage quickly, and offering 777 fails on
 * purpose so that the demo shows what a failed import looks like. */
static const char * const sandbox_arguments[] = {
  "--port", "0",
  "--oauth-only",
  "--offering-timeline", "777=UPLOADING:1,PROCESSING:2,IMPORTFAILED",
  "--offering", "6606:Biology 101;BIO101",
  "--offering", "12345:Introduction to Chemistry;CHEM110",
  "--offering", "777:Broken Course (demo failure);FAIL777",
  /* The sandbox's own semesters: the course field's matches show them. */
  "--offering-semester", "6606=7001",
  "--offering-semester", "12345=7001",
  NULL
};

typedef struct
{
  guint    timeout_id;
  gboolean timed_out;
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  g_free (data);
}

static char *
find_sandbox (void)
{
  char *path = cd_find_data_file ("COURSEDROP_SANDBOX", "../sandbox/coursedrop-sandbox",
                                  BINDIR G_DIR_SEPARATOR_S "coursedrop-sandbox");

  return path != NULL ? path : g_find_program_in_path ("coursedrop-sandbox");
}

#ifdef __linux__
static void
child_setup (gpointer user_data)
{
  /* Runs in the child between fork and exec: async-signal-safe only. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void
drain_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CdDemo) self = user_data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    NULL, NULL);
  if (line == NULL || g_cancellable_is_cancelled (self->draining))
    return;

  g_debug ("Sandbox: %s", line);
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (object), G_PRIORITY_LOW,
                                       self->draining, drain_cb, g_object_ref (self));
}

static void
first_line_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdDemo *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    NULL, &error);
  if (g_task_return_error_if_cancelled (task))
    {
      cd_demo_stop (self);
      return;
    }

  if (line == NULL || !g_str_has_prefix (line, LISTENING_PREFIX))
    {
      const char *why = data->timed_out ? _("it did not answer within 15 seconds.")
                      : line != NULL ? line
                      : error != NULL ? error->message
                      : _("it stopped before saying where it listens.");

      cd_demo_stop (self);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The demo Brightspace did not start: %s"), why);
      return;
    }

  g_data_input_stream_read_line_async (self->output, G_PRIORITY_LOW, self->draining,
                                       drain_cb, g_object_ref (self));
  g_task_return_pointer (task, g_strdup (line + strlen (LISTENING_PREFIX)), g_free);
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  StartData *data = g_task_get_task_data (task);

  data->timeout_id = 0;
  data->timed_out = TRUE;
  /* Stopping cancels the pending read, which then reports the timeout. */
  cd_demo_stop (g_task_get_source_object (task));

  return G_SOURCE_REMOVE;
}

void
cd_demo_start_async (CdDemo              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sandbox = NULL;
  StartData *data;

  g_return_if_fail (CD_IS_DEMO (self));
  g_return_if_fail (self->process == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_demo_start_async);

  sandbox = find_sandbox ();
  if (sandbox == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("coursedrop-sandbox was not found. Install it next to "
                                 "Coursedrop, or set COURSEDROP_SANDBOX to its path."));
      return;
    }

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, sandbox);
  for (guint i = 0; sandbox_arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)sandbox_arguments[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "COURSEDROP_SANDBOX_ACCESS_TOKEN",
                                self->access_token, TRUE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
#endif
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata,
                                                &error);
  if (self->process == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The demo Brightspace did not start: %s"), error->message);
      return;
    }

  self->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));

  data = g_new0 (StartData, 1);
  data->timeout_id = g_timeout_add_seconds (START_TIMEOUT_SECONDS, start_timeout_cb, task);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);

  /* The read follows the sandbox's lifetime; the caller's cancellable is
   * checked when it ends. */
  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, self->draining,
                                       first_line_cb, g_steal_pointer (&task));
}

char *
cd_demo_start_finish (CdDemo        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_demo_start_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
cd_demo_create_journal (CdDemo  *self,
                        GError **error)
{
  g_return_val_if_fail (CD_IS_DEMO (self), NULL);

  if (self->journal_dir == NULL &&
      (self->journal_dir = g_dir_make_tmp ("coursedrop-demo-XXXXXX", error)) == NULL)
    return NULL;

  return g_build_filename (self->journal_dir, "jobs.json", NULL);
}

static void
remove_journal_dir (CdDemo *self)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self->journal_dir == NULL)
    return;

  if ((dir = g_dir_open (self->journal_dir, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (self->journal_dir, name, NULL);

        g_unlink (path);
      }
  g_rmdir (self->journal_dir);
  g_clear_pointer (&self->journal_dir, g_free);
}

void
cd_demo_stop (CdDemo *self)
{
  g_return_if_fail (CD_IS_DEMO (self));

  remove_journal_dir (self);

  g_cancellable_cancel (self->draining);

  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      g_clear_object (&self->process);
    }

  /* A read may still be pending: it holds the stream until it ends. */
  g_clear_object (&self->output);
}

static void
cd_demo_dispose (GObject *object)
{
  cd_demo_stop (CD_DEMO (object));

  G_OBJECT_CLASS (cd_demo_parent_class)->dispose (object);
}

static void
cd_demo_finalize (GObject *object)
{
  CdDemo *self = CD_DEMO (object);

  g_clear_object (&self->draining);
  cd_secret_clear (&self->access_token);

  G_OBJECT_CLASS (cd_demo_parent_class)->finalize (object);
}

static void
cd_demo_class_init (CdDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_demo_dispose;
  object_class->finalize = cd_demo_finalize;
}

static void
cd_demo_init (CdDemo *self)
{
  self->draining = g_cancellable_new ();
  self->access_token = cd_oauth_random_b64url (32);
}

CdDemo *
cd_demo_new (void)
{
  return g_object_new (CD_TYPE_DEMO, NULL);
}

CdAccount *
cd_demo_create_account (CdDemo      *self,
                        const char  *url,
                        GError     **error)
{
  g_autoptr(CdOAuth) oauth = NULL;

  g_return_val_if_fail (CD_IS_DEMO (self), NULL);

  if (!(oauth = cd_oauth_new_for_access_token (url, self->access_token, error)))
    return NULL;

  return cd_account_new_oauth (oauth);
}

GFile *
cd_demo_find_sample_package (void)
{
  g_autofree char *path = cd_find_data_file (NULL, "../../data/coursedrop-demo.imscc",
                                             PKGDATADIR G_DIR_SEPARATOR_S "coursedrop-demo.imscc");

  return path != NULL ? g_file_new_for_path (path) : NULL;
}
