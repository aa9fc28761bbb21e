/* cd-session.c: the signed-in session the window shows
 *
 * The account, its newest client and the job list, and what follows from
 * them: the subtitle ("Dana Demo on school.brightspace.com"), a sign-in
 * that expired, a certificate that is not trusted, a journal that cannot
 * be read.  The application owns one session and shows it; the session
 * knows nothing of windows and reports by property and signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-gui-util.h"
#include "cd-session-private.h"

G_DEFINE_FINAL_TYPE (CdSession, cd_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DEMO,
  PROP_ACCOUNT,
  PROP_CLIENT,
  PROP_JOBS,
  PROP_EXPIRED,
  PROP_SUBTITLE,
  PROP_FAILURE_TITLE,
  PROP_PROBLEM,
  N_PROPS
};

enum {
  EXPIRED,
  UNTRUSTED_CERTIFICATE,
  ACCOUNT_CHANGED,
  MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
notify (CdSession *self,
        guint      prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_string (CdSession   *self,
            char       **field,
            const char  *value,
            guint        prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  notify (self, prop_id);
}

void
cd_session_set_subtitle (CdSession  *self,
                         const char *subtitle)
{
  g_return_if_fail (CD_IS_SESSION (self));
  set_string (self, &self->subtitle, subtitle, PROP_SUBTITLE);
}

void
cd_session_set_failure (CdSession  *self,
                        const char *title,
                        const char *text)
{
  g_return_if_fail (CD_IS_SESSION (self));

  /* The text first: whoever follows the title reads both. */
  g_free (self->failure_text);
  self->failure_text = g_strdup (text);
  g_free (self->failure_title);
  self->failure_title = g_strdup (title);
  notify (self, PROP_FAILURE_TITLE);
}

void
_cd_session_set_expired (CdSession *self,
                         gboolean   expired)
{
  if (self->expired == !!expired)
    return;

  self->expired = !!expired;
  notify (self, PROP_EXPIRED);
  if (expired)
    g_signal_emit (self, signals[EXPIRED], 0);
}

void
_cd_session_set_account (CdSession *self,
                         CdAccount *account)
{
  if (g_set_object (&self->account, account))
    notify (self, PROP_ACCOUNT);
}

void
_cd_session_set_client (CdSession *self,
                        CdClient  *client)
{
  if (g_set_object (&self->client, client))
    notify (self, PROP_CLIENT);
}

void
_cd_session_message (CdSession  *self,
                     const char *text)
{
  g_signal_emit (self, signals[MESSAGE], 0, text);
}

void
_cd_session_account_changed (CdSession *self)
{
  g_signal_emit (self, signals[ACCOUNT_CHANGED], 0);
}

void
_cd_session_set_problem (CdSession  *self,
                         const char *problem)
{
  set_string (self, &self->problem, problem, PROP_PROBLEM);
}

/* Jobs */

static void
job_paused_cb (CdImportJob *job,
               GParamSpec  *pspec,
               CdSession   *self)
{
  /* A job pauses when Brightspace no longer takes the user's keys. */
  if (cd_import_job_get_paused (job))
    _cd_session_set_expired (self, TRUE);
}

static void
jobs_items_changed_cb (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       CdSession  *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (model, i);

      g_signal_connect_object (job, "notify::paused", G_CALLBACK (job_paused_cb), self, 0);
      job_paused_cb (job, NULL, self);
    }
}

/* Stops the uploads and polls of @jobs: nothing more goes out with the
 * keys of their account.  Jobs with a token stay resumable in the journal;
 * an upload that is stopped either did not reach Brightspace (it says so)
 * or needs attention (its outcome is unknown). */
static void
stop_jobs (CdJobList *jobs)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (jobs), i);

      cd_import_job_stop (job);
    }
}

void
cd_session_stop_jobs (CdSession *self)
{
  g_return_if_fail (CD_IS_SESSION (self));

  if (self->jobs != NULL)
    stop_jobs (self->jobs);
}

/* Whether @job was stopped on purpose (not by a problem, which sets
 * CdImportJob:attention) and can be followed again. */
static gboolean
is_stopped (CdImportJob *job)
{
  return !cd_import_job_is_running (job) && cd_import_job_get_finished (job) == NULL &&
         cd_import_job_get_token (job) != NULL && cd_import_job_get_attention (job) == NULL;
}

void
cd_session_resume_jobs (CdSession *self)
{
  guint n;

  g_return_if_fail (CD_IS_SESSION (self));

  if (self->jobs == NULL || self->client == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (is_stopped (job))
        cd_import_job_resume (job, self->client);
    }
}

/* The same site with new keys: jobs that poll with the old ones go on with
 * @client instead.  An upload cannot change keys halfway, so it goes on
 * with the keys it started with (the ones the user had signed in with). */
void
_cd_session_move_jobs (CdSession *self,
                       CdClient  *client)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (cd_import_job_is_running (job) && cd_import_job_get_token (job) != NULL &&
          cd_import_job_get_client (job) != client)
        {
          cd_import_job_stop (job);
          cd_import_job_resume (job, client);
        }
    }
}

void
_cd_session_set_jobs (CdSession *self,
                      CdJobList *jobs)
{
  if (self->jobs == jobs)
    return;

  /* Signed out, another account, or quitting: nothing more is sent for the
   * old list's jobs.  A new list of the same journal follows them again. */
  if (self->jobs != NULL)
    {
      stop_jobs (self->jobs);
      g_signal_handlers_disconnect_by_data (self->jobs, self);
    }
  g_set_object (&self->jobs, jobs);
  if (jobs != NULL)
    {
      g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_items_changed_cb), self, 0);
      jobs_items_changed_cb (G_LIST_MODEL (jobs), 0, 0,
                             g_list_model_get_n_items (G_LIST_MODEL (jobs)), self);
    }
  notify (self, PROP_JOBS);
}

gboolean
cd_session_is_uploading (CdSession *self)
{
  guint n;

  g_return_val_if_fail (CD_IS_SESSION (self), FALSE);

  n = self->jobs != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->jobs)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      /* Running without a token yet: still uploading. */
      if (cd_import_job_is_running (job) && cd_import_job_get_token (job) == NULL)
        return TRUE;
    }

  return FALSE;
}

gboolean
cd_session_handle_error (CdSession    *self,
                         CdClient     *client,
                         const GError *error)
{
  g_return_val_if_fail (CD_IS_SESSION (self), FALSE);
  g_return_val_if_fail (client == NULL || CD_IS_CLIENT (client), FALSE);

  /* The demo's sandbox has no sign-in to renew and no certificate. */
  if (self->demo || error == NULL)
    return FALSE;

  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN) ||
      g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED))
    {
      _cd_session_set_expired (self, TRUE);
      return TRUE;
    }

  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS) && client != NULL)
    {
      g_autoptr(CdCertificateInfo) info = cd_client_get_last_untrusted_certificate (client);

      if (info == NULL)
        return FALSE;
      g_signal_emit (self, signals[UNTRUSTED_CERTIFICATE], 0, info);
      return TRUE;
    }

  return FALSE;
}

void
cd_session_close (CdSession *self)
{
  g_return_if_fail (CD_IS_SESSION (self));

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->connecting);
  _cd_session_set_jobs (self, NULL);
  _cd_session_set_client (self, NULL);
}

/* Getters */

gboolean
cd_session_get_demo (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), FALSE);
  return self->demo;
}

CdAccount *
cd_session_get_account (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->account;
}

CdClient *
cd_session_get_client (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->client;
}

CdJobList *
cd_session_get_jobs (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->jobs;
}

gboolean
cd_session_get_expired (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), FALSE);
  return self->expired;
}

const char *
cd_session_get_subtitle (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->subtitle;
}

const char *
cd_session_get_failure_title (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->failure_title;
}

const char *
cd_session_get_failure_text (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->failure_text;
}

const char *
cd_session_get_problem (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->problem;
}

const char *
cd_session_get_ca_file (CdSession *self)
{
  g_return_val_if_fail (CD_IS_SESSION (self), NULL);
  return self->ca_file;
}

/* GObject */

static void
cd_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CdSession *self = CD_SESSION (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_JOBS:
      g_value_set_object (value, self->jobs);
      break;
    case PROP_EXPIRED:
      g_value_set_boolean (value, self->expired);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_FAILURE_TITLE:
      g_value_set_string (value, self->failure_title);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CdSession *self = CD_SESSION (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      self->demo = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_session_dispose (GObject *object)
{
  CdSession *self = CD_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->connecting);
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_data (self->jobs, self);
  g_clear_object (&self->jobs);

  G_OBJECT_CLASS (cd_session_parent_class)->dispose (object);
}

static void
cd_session_finalize (GObject *object)
{
  CdSession *self = CD_SESSION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->account);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connecting);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->subtitle, g_free);
  g_clear_pointer (&self->failure_title, g_free);
  g_clear_pointer (&self->failure_text, g_free);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (cd_session_parent_class)->finalize (object);
}

static void
cd_session_class_init (CdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = cd_session_get_property;
  object_class->set_property = cd_session_set_property;
  object_class->dispose = cd_session_dispose;
  object_class->finalize = cd_session_finalize;

  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, CD_TYPE_ACCOUNT, flags);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CD_TYPE_CLIENT, flags);
  properties[PROP_JOBS] =
    g_param_spec_object ("jobs", NULL, NULL, CD_TYPE_JOB_LIST, flags);
  properties[PROP_EXPIRED] =
    g_param_spec_boolean ("expired", NULL, NULL, FALSE, flags);
  properties[PROP_SUBTITLE] =
    g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  /* Its text comes with it: see cd_session_get_failure_text(). */
  properties[PROP_FAILURE_TITLE] =
    g_param_spec_string ("failure-title", NULL, NULL, NULL, flags);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The sign-in expired: Brightspace no longer takes the user's keys. */
  signals[EXPIRED] =
    g_signal_new ("expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The server presented this certificate, which is not trusted. */
  signals[UNTRUSTED_CERTIFICATE] =
    g_signal_new ("untrusted-certificate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CD_TYPE_CERTIFICATE_INFO);
  /* The account, its client or the job list were replaced. */
  signals[ACCOUNT_CHANGED] =
    g_signal_new ("account-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Something to tell the user in passing (a toast). */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cd_session_init (CdSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->settings = cd_settings_new ();
}

CdSession *
cd_session_new (gboolean demo)
{
  return g_object_new (CD_TYPE_SESSION, "demo", demo, NULL);
}
