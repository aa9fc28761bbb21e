/* cd-job-notifier.c: tells the desktop about finished imports
 *
 * An import takes minutes; whoever started it has usually turned to
 * something else.  A finished job is a notification, unless the window
 * that shows it is in use.  Clicking one shows the job (app.show-job).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-job-notifier.h"
#include "cd-window.h"

struct _CdJobNotifier
{
  GObject         parent_instance;

  GtkApplication *application;  /* (unowned): weak pointer; it owns us */
  CdSession      *session;      /* (owned) */
  CdJobList      *jobs;         /* (owned) (nullable): the list being followed */
  GSettings      *settings;     /* (owned) (nullable): no schema installed */
};

G_DEFINE_FINAL_TYPE (CdJobNotifier, cd_job_notifier, G_TYPE_OBJECT)

/* The main window is in use: its rows already say it. */
static gboolean
window_in_use (CdJobNotifier *self)
{
  GtkWindow *window = self->application != NULL
                      ? gtk_application_get_active_window (self->application) : NULL;

  return window != NULL && CD_IS_WINDOW (window) && gtk_window_is_active (window);
}

static void
job_finished_cb (CdJobList     *jobs,
                 CdImportJob   *job,
                 CdJobNotifier *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const char *token = cd_import_job_get_token (job);

  /* Following was stopped on purpose (Remove, quitting): nothing to say. */
  if (g_error_matches (cd_import_job_get_error (job), CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED))
    return;

  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "notify-on-completion"))
    return;

  if (self->application == NULL || window_in_use (self))
    return;

  notification = g_notification_new (cd_import_job_succeeded (job) ? _("Import completed")
                                                                   : _("Import failed"));
  body = cd_format_job_title (cd_import_job_get_package_name (job),
                              cd_import_job_get_offering_name (job),
                              cd_import_job_get_offering_id (job), token);
  g_notification_set_body (notification, body);

  if (token != NULL)
    {
      g_notification_set_default_action_and_target (notification, "app.show-job", "s", token);
      id = g_strdup_printf ("job-%s", token);
    }
  else
    g_notification_set_default_action (notification, "app.activate");

  g_application_send_notification (G_APPLICATION (self->application), id, notification);
}

static void
follow_jobs (CdJobNotifier *self)
{
  CdJobList *jobs = cd_session_get_jobs (self->session);

  if (self->jobs == jobs)
    return;

  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_data (self->jobs, self);
  g_set_object (&self->jobs, jobs);
  if (jobs != NULL)
    g_signal_connect_object (jobs, "job-finished", G_CALLBACK (job_finished_cb), self, 0);
}

static void
jobs_changed_cb (CdSession     *session,
                 GParamSpec    *pspec,
                 CdJobNotifier *self)
{
  follow_jobs (self);
}

static void
cd_job_notifier_dispose (GObject *object)
{
  CdJobNotifier *self = CD_JOB_NOTIFIER (object);

  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_data (self->jobs, self);
  g_clear_object (&self->jobs);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (cd_job_notifier_parent_class)->dispose (object);
}

static void
cd_job_notifier_finalize (GObject *object)
{
  CdJobNotifier *self = CD_JOB_NOTIFIER (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cd_job_notifier_parent_class)->finalize (object);
}

static void
cd_job_notifier_class_init (CdJobNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_job_notifier_dispose;
  object_class->finalize = cd_job_notifier_finalize;
}

static void
cd_job_notifier_init (CdJobNotifier *self)
{
  self->settings = cd_settings_new ();
}

CdJobNotifier *
cd_job_notifier_new (GtkApplication *application,
                     CdSession      *session)
{
  CdJobNotifier *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CD_IS_SESSION (session), NULL);

  self = g_object_new (CD_TYPE_JOB_NOTIFIER, NULL);
  g_set_weak_pointer (&self->application, application);
  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::jobs", G_CALLBACK (jobs_changed_cb), self, 0);
  follow_jobs (self);

  return self;
}
