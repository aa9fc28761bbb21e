/* cd-application.c: the Coursedrop application
 *
 * One instance: files opened later (command line, "Open With") reach the
 * running window.  The application owns the session (CdSession: the
 * account, its client and the job list), so jobs keep going whatever the
 * window does; the window shows the session, and the application answers
 * what the session reports: an expired sign-in, an untrusted certificate,
 * a finished job when nobody looks.  With --demo it first starts a local
 * sandbox.  The window comes first: the session is set up (or the demo
 * started) once it has drawn its first frame, and packages opened at
 * launch wait as pending imports until the session is connected.
 *
 * This part holds the class and its main flow (start-up, activate, open,
 * shut-down); cd-application-session.c answers the session and starts it,
 * cd-application-actions.c holds the actions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "cd-application-private.h"
#include "cd-gui-util.h"

G_DEFINE_FINAL_TYPE (CdApplication, cd_application, ADW_TYPE_APPLICATION)

/* Without a first frame to wait for, the session starts after this. */
#define SESSION_START_DELAY_MS 1000
/* Packages named on the command line get their cards this long after the
 * window's first frame (see window_painted_cb). */
#define FILES_AFTER_FIRST_FRAME_MS 100

static const GOptionEntry option_entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Try Coursedrop against a local Brightspace sandbox, without an account"), NULL },
  G_OPTION_ENTRY_NULL
};

/* The window shows the session; a window made later shows it too. */
void
_cd_application_apply_state (CdApplication *self)
{
  CdSession *session = self->session;

  if (self->window == NULL)
    return;

  cd_window_set_job_list (self->window, cd_session_get_jobs (session));
  cd_window_set_client (self->window, cd_session_get_client (session));
  cd_window_set_sign_in_expired (self->window, cd_session_get_expired (session));
  cd_window_set_starting (self->window, self->starting);
  cd_window_set_loading (self->window, self->loading);
  cd_window_set_failure (self->window, cd_session_get_failure_title (session),
                         cd_session_get_failure_text (session));
  cd_window_set_subtitle (self->window, cd_session_get_subtitle (session));
  cd_window_set_sample_package (self->window, self->sample_package);

  for (guint i = 0; i < self->pending_toasts->len; i++)
    cd_window_show_toast (self->window, g_ptr_array_index (self->pending_toasts, i));
  g_ptr_array_set_size (self->pending_toasts, 0);
}

void
_cd_application_toast (CdApplication *self,
                       const char    *message)
{
  g_ptr_array_add (self->pending_toasts, g_strdup (message));
  _cd_application_apply_state (self);
}

static void
window_client_error_cb (CdWindow      *window,
                        CdClient      *client,
                        const GError  *error,
                        CdApplication *self)
{
  cd_session_handle_error (self->session, client, error);
}

CdWindow *
_cd_application_ensure_window (CdApplication *self)
{
  if (self->window == NULL)
    {
      self->window = cd_window_new (GTK_APPLICATION (self));
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *)&self->window);
      g_signal_connect_object (self->window, "client-error",
                               G_CALLBACK (window_client_error_cb), self, 0);
      _cd_application_apply_state (self);
    }

  return self->window;
}

/* GApplication */

static gboolean
signal_quit_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static int
cd_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  CdApplication *self = CD_APPLICATION (application);

  /* Only matters if this process becomes the primary instance. */
  self->demo_mode = g_variant_dict_contains (options, "demo");

  return -1;
}

static void
cd_application_startup (GApplication *application)
{
  CdApplication *self = CD_APPLICATION (application);

  G_APPLICATION_CLASS (cd_application_parent_class)->startup (application);

  g_set_application_name (_("Coursedrop"));

  _cd_application_add_actions (self);

  /* Quit cleanly on a signal: the demo sandbox goes with us. */
  self->sigint_source = g_unix_signal_add (SIGINT, signal_quit_cb, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, signal_quit_cb, self);

  _cd_application_create_session (self);
  self->notifier = cd_job_notifier_new (GTK_APPLICATION (self), self->session);
  self->meter = cd_latency_meter_new_from_environment (self->session);

  /* The window says what is under way from its first frame on. */
  if (self->demo_mode)
    {
      self->starting = TRUE;
      cd_session_set_subtitle (self->session, _("Demo — local sandbox"));
    }
  else
    self->loading = TRUE;

  /* The account may come from the keyring: nothing may end the
   * application before it is known.  Activated without a window (a
   * notification's action), or with one that is never drawn, the session
   * starts anyway, a moment later. */
  g_application_hold (application);
  self->session_source = g_timeout_add (SESSION_START_DELAY_MS, _cd_application_start_session_cb,
                                        self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->session_source),
                            "[coursedrop] start the session");
}

static void
cd_application_activate (GApplication *application)
{
  CdApplication *self = CD_APPLICATION (application);

  gtk_window_present (GTK_WINDOW (_cd_application_ensure_window (self)));
  _cd_application_start_session_after_paint (self);
}

typedef struct
{
  CdWindow      *window;       /* (owned) */
  GPtrArray     *files;        /* (owned) (element-type GFile) */
  GdkFrameClock *frame_clock;  /* (owned) (nullable) */
  gulong         painted_id;
} OpenFiles;

static void
open_files_free (OpenFiles *open)
{
  g_clear_signal_handler (&open->painted_id, open->frame_clock);
  g_clear_object (&open->frame_clock);
  g_clear_object (&open->window);
  g_clear_pointer (&open->files, g_ptr_array_unref);
  g_free (open);
}

static gboolean
add_files_cb (gpointer user_data)
{
  OpenFiles *open = user_data;

  for (guint i = 0; i < open->files->len; i++)
    cd_window_add_file (open->window, g_ptr_array_index (open->files, i));

  return G_SOURCE_REMOVE;
}

static void
add_files_later (OpenFiles *open,
                 guint      delay_ms)
{
  guint source;

  g_clear_signal_handler (&open->painted_id, open->frame_clock);
  source = g_timeout_add_full (G_PRIORITY_LOW, delay_ms, add_files_cb, open,
                               (GDestroyNotify) open_files_free);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, source),
                            "[coursedrop] open files");
}

/* After its first frame, GTK announces a new window on the accessibility
 * bus, and screen readers ask it what it holds.  Building a card takes the
 * main loop 15–30 ms, long enough to make them wait, so the cards follow
 * the window a moment later (measured: the window is found 30–70 ms
 * sooner). */
static void
window_painted_cb (GdkFrameClock *frame_clock,
                   OpenFiles     *open)
{
  add_files_later (open, FILES_AFTER_FIRST_FRAME_MS);
}

/* The browser's last address of an OAuth sign-in (the desktop file makes
 * the app the handler of its scheme): for the Account window, not a
 * package.  TRUE when @file was one. */
static gboolean
route_redirect (CdApplication *self,
                GFile         *file)
{
  g_autofree char *uri = g_file_get_uri (file);

  if (!cd_account_window_is_redirect (uri))
    return FALSE;

  if (self->account_window == NULL)
    {
      gtk_window_present (GTK_WINDOW (_cd_application_ensure_window (self)));
      _cd_application_toast (self, _("Brightspace sent an answer to a sign-in, but none is "
                                     "waiting. Open Account to sign in."));
    }
  else
    {
      gtk_window_present (GTK_WINDOW (self->account_window));
      cd_account_window_finish_sign_in (self->account_window, uri);
    }
  return TRUE;
}

static void
cd_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CdApplication *self = CD_APPLICATION (application);
  g_autoptr(GPtrArray) packages = g_ptr_array_new_with_free_func (g_object_unref);
  CdWindow *window;
  gboolean shown;
  OpenFiles *open;
  GdkFrameClock *frame_clock;

  for (int i = 0; i < n_files; i++)
    if (!route_redirect (self, files[i]))
      g_ptr_array_add (packages, g_object_ref (files[i]));
  if (packages->len == 0)
    return;

  window = _cd_application_ensure_window (self);
  shown = gtk_widget_get_mapped (GTK_WIDGET (window));
  open = g_new0 (OpenFiles, 1);
  gtk_window_present (GTK_WINDOW (window));
  _cd_application_start_session_after_paint (CD_APPLICATION (application));

  open->window = g_object_ref (window);
  open->files = g_steal_pointer (&packages);

  /* A new window first: the packages are added once it has been drawn,
   * so that their cards never delay it. */
  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (shown || frame_clock == NULL)
    {
      add_files_later (open, 0);
      return;
    }
  /* Only here does OpenFiles own a reference (open_files_free drops it). */
  open->frame_clock = g_object_ref (frame_clock);
  open->painted_id = g_signal_connect (open->frame_clock, "after-paint",
                                       G_CALLBACK (window_painted_cb), open);
}

static void
cd_application_shutdown (GApplication *application)
{
  CdApplication *self = CD_APPLICATION (application);

  g_clear_pointer (&self->meter, cd_latency_meter_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->painted_id, self->paint_clock);
  g_clear_object (&self->paint_clock);
  g_clear_handle_id (&self->session_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  /* Jobs stop following; the journal keeps them for the next start. */
  if (self->window != NULL)
    cd_window_set_job_list (self->window, NULL);
  g_clear_object (&self->notifier);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      cd_session_close (self->session);
    }

  if (self->demo != NULL)
    cd_demo_stop (self->demo);

  G_APPLICATION_CLASS (cd_application_parent_class)->shutdown (application);
}

#if DEVELOPMENT
/* The development variant's windows have striped header bars. */
static void
cd_application_window_added (GtkApplication *application,
                             GtkWindow      *window)
{
  gtk_widget_add_css_class (GTK_WIDGET (window), "devel");

  GTK_APPLICATION_CLASS (cd_application_parent_class)->window_added (application, window);
}
#endif

static void
cd_application_finalize (GObject *object)
{
  CdApplication *self = CD_APPLICATION (object);

  g_clear_object (&self->session);
  g_clear_object (&self->notifier);
  g_clear_object (&self->demo);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sample_package);
  g_clear_pointer (&self->meter, cd_latency_meter_free);
  g_clear_pointer (&self->pending_toasts, g_ptr_array_unref);

  G_OBJECT_CLASS (cd_application_parent_class)->finalize (object);
}

static void
cd_application_class_init (CdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cd_application_finalize;
  app_class->handle_local_options = cd_application_handle_local_options;
  app_class->startup = cd_application_startup;
  app_class->activate = cd_application_activate;
  app_class->open = cd_application_open;
  app_class->shutdown = cd_application_shutdown;
#if DEVELOPMENT
  GTK_APPLICATION_CLASS (klass)->window_added = cd_application_window_added;
#endif
}

static void
cd_application_init (CdApplication *self)
{
  self->cancellable = g_cancellable_new ();
  self->pending_toasts = g_ptr_array_new_with_free_func (g_free);

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[PACKAGE…] [PLAN.csv]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Import course packages (.zip, .imscc) into D2L "
                                              "Brightspace course offerings.\n"
                                              "A .csv file is a migration plan (one row per "
                                              "import, as for coursedrop-cli batch): it opens in "
                                              "a plan window to check and run."));
}

CdApplication *
cd_application_new (void)
{
  return g_object_new (CD_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}
