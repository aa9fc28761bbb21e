/* cd-session-account.c: which account, and connecting it
 *
 * Where the account comes from (the environment, then the saved settings
 * and the keyring: the command line's rules) is decided in one place,
 * cd_session_load_async(); COURSEDROP_CA_FILE is read there, once.
 * Connecting makes the client and the job list, and asks whoami for the
 * name the subtitle shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-json.h"
#include "cd-account-source.h"
#include "cd-session-private.h"
#include "cd-settings.h"

/* "Dana Demo on school.brightspace.com", or the address alone. */
static char *
describe_account (const char *name,
                  const char *host_url)
{
  g_autofree char *host = cd_format_host (host_url);

  if (name == NULL || name[0] == '\0')
    return g_steal_pointer (&host);

  /* Translators: “dana.demo on school.brightspace.com”. */
  return g_strdup_printf (_("%s on %s"), name, host);
}

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdSession) self = user_data;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  const char *name;

  user = cd_client_whoami_finish (CD_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (user == NULL)
    {
      /* Imports would fail the same way: say it now rather than later. */
      if (!cd_session_handle_error (self, CD_CLIENT (object), error))
        _cd_session_message (self, error->message);
      return;
    }

  _cd_session_set_expired (self, FALSE);
  name = self->account != NULL ? cd_account_get_display_name (self->account) : NULL;
  if (name == NULL)
    name = cd_json_get_string (user, "UniqueName");
  if (name == NULL || self->demo)
    return;

  subtitle = describe_account (name, cd_client_get_host (CD_CLIENT (object)));
  cd_session_set_subtitle (self, subtitle);
}

/* What a connection needs before its journal is read: the account shown,
 * the old jobs and client gone, a new client.  NULL (with the failure
 * shown) when the account cannot make one. */
static CdClient *
begin_connect (CdSession *self,
               CdAccount *account)
{
  g_autoptr(GError) error = NULL;
  CdClient *client;

  /* A connection started earlier (at start-up) gives way to this one. */
  g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);

  _cd_session_set_jobs (self, NULL);
  _cd_session_set_client (self, NULL);
  _cd_session_set_account (self, account);

  /* The account carries this run's TLS trust (cd_account_source_apply_tls). */
  if ((client = cd_account_create_client (account, &error)) == NULL)
    cd_session_set_failure (self, _("Cannot Connect to Brightspace"), error->message);

  return client;
}

/* The rest, with @journal loaded (or @load_error saying why not). */
static void
finish_connect (CdSession    *self,
                CdClient     *client,
                CdJobJournal *journal,
                const GError *load_error,
                const char   *subtitle)
{
  g_autoptr(CdJobList) jobs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;

  if (load_error != NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("%s\n\nCoursedrop records every import there so that none is lost. "
                           "Fix or move that file, then start Coursedrop again."),
                         load_error->message);

      cd_session_set_failure (self, _("The Job History Could Not Be Read"), text);
      return;
    }
  if (cd_job_journal_get_load_warning (journal) != NULL)
    _cd_session_message (self, cd_job_journal_get_load_warning (journal));

  jobs = cd_job_list_new (client, journal);
  if (!cd_job_list_load (jobs, &error))
    _cd_session_message (self, error->message);
  _cd_session_set_client (self, client);
  _cd_session_set_jobs (self, jobs);

  described = describe_account (cd_account_get_display_name (self->account),
                                cd_client_get_host (client));
  cd_session_set_subtitle (self, subtitle != NULL ? subtitle : described);

  cd_client_whoami_async (client, self->cancellable, whoami_cb, g_object_ref (self));
}

void
cd_session_connect (CdSession  *self,
                    CdAccount  *account,
                    const char *journal_path,
                    const char *subtitle)
{
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CD_IS_SESSION (self));
  g_return_if_fail (CD_IS_ACCOUNT (account));

  g_object_freeze_notify (G_OBJECT (self));
  if ((client = begin_connect (self, account)) != NULL)
    {
      journal = cd_job_journal_new (journal_path);
      cd_job_journal_load (journal, &error);
      finish_connect (self, client, journal, error, subtitle);
    }
  g_object_thaw_notify (G_OBJECT (self));
  _cd_session_account_changed (self);
}

/* Connecting at start-up: the journal (up to 64 MiB of JSON, maybe on a
 * slow home directory) is read on a worker thread, never on the main
 * loop.  Nothing else holds the new journal until it comes back, so its
 * main-thread rule holds. */

typedef struct
{
  CdClient     *client;   /* (owned) */
  CdJobJournal *journal;  /* (owned) */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->client);
  g_clear_object (&data->journal);
  g_free (data);
}

static void
load_journal_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ConnectData *data = task_data;
  GError *error = NULL;

  if (!cd_job_journal_load (data->journal, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
journal_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CdSession *self = CD_SESSION (object);
  g_autoptr(GTask) load_task = user_data;
  ConnectData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);

  /* Signed in, out or closed meanwhile: that connection stands. */
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_clear_object (&self->connecting);
      finish_connect (self, data->client, data->journal, error, NULL);
      _cd_session_account_changed (self);
    }

  g_task_return_boolean (load_task, TRUE);
}

static void
connect_in_background (CdSession *self,
                       CdAccount *account,
                       GTask     *load_task)
{
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GTask) task = NULL;
  ConnectData *data;

  if ((client = begin_connect (self, account)) == NULL)
    {
      _cd_session_account_changed (self);
      g_task_return_boolean (load_task, TRUE);
      g_object_unref (load_task);
      return;
    }

  self->connecting = g_cancellable_new ();
  data = g_new0 (ConnectData, 1);
  data->client = g_steal_pointer (&client);
  data->journal = cd_job_journal_new (NULL);

  task = g_task_new (self, self->connecting, journal_loaded_cb, load_task);
  g_task_set_source_tag (task, connect_in_background);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);
  g_task_run_in_thread (task, load_journal_thread);
}

/* Loading the account */

/* COURSEDROP_CA_FILE and the pins, applied as the command line does; a
 * bad CA file is a problem the window shows. */
static gboolean
apply_tls (CdSession *self,
           CdAccount *account)
{
  g_autoptr(GError) error = NULL;

  if (self->demo || cd_account_source_apply_tls (account, NULL, &error))
    return TRUE;

  _cd_session_set_problem (self, error->message);
  return FALSE;
}

/* Returns @task (transfer full) once the account is in use. */
static void
use_account (CdSession    *self,
             CdAccount    *account,
             const GError *load_error,
             GTask        *task)
{
  _cd_session_set_problem (self, NULL);

  if (account == NULL)
    {
      /* Nothing saved at all is the normal first start: no complaint. */
      if (load_error != NULL &&
          !g_error_matches (load_error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST) &&
          !g_error_matches (load_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _cd_session_set_problem (self, load_error->message);
    }
  else if (!apply_tls (self, account))
    ;
  /* An OAuth account has no ID-Key app: signed in is its token's word. */
  else if ((cd_account_get_kind (account) == CD_AUTH_KIND_IDKEY &&
            !cd_account_has_app (account)) ||
           !cd_account_require_user (account, NULL))
    {
      /* Signed out: the account window offers to sign in. */
      _cd_session_set_account (self, account);
      _cd_session_account_changed (self);
    }
  else
    {
      connect_in_background (self, account, task);
      return;
    }

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
saved_account_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdSession *self = g_task_get_source_object (task);
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = cd_account_load_saved_finish (result, &error);
  use_account (self, account, error, g_steal_pointer (&task));
}

/* Off the main loop, before any account is used: the system's trusted
 * certificates, which every client's TLS database starts from (parsed
 * once per process, some 25 ms), and, when the environment names an
 * account, that account: the environment first, the saved account for
 * whatever it lacks, whose keyring lookup blocks. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GTlsDatabase) database = NULL;
  GError *error = NULL;
  CdAccount *account;

  if (g_tls_backend_supports_tls (backend))
    database = g_tls_backend_get_default_database (backend);

  if (!GPOINTER_TO_INT (task_data))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  if ((account = cd_account_source_resolve (NULL, cancellable, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, account, g_object_unref);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CdSession *self = CD_SESSION (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = g_task_propagate_pointer (G_TASK (result), &error);

  /* Nothing in the environment: the saved account, without blocking. */
  if (!GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result))))
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      cd_account_load_saved_async (cancellable, saved_account_cb, g_steal_pointer (&task));
      return;
    }

  use_account (self, account, error, g_steal_pointer (&task));
}

/* The one place the window's account comes from; the command line's
 * rules, so that both find the same account. */
void
cd_session_load_async (CdSession           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) prepare = NULL;
  const char *ca_file = cd_account_source_get_ca_file ();

  g_return_if_fail (CD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_session_load_async);

  g_clear_pointer (&self->ca_file, g_free);
  self->ca_file = g_strdup (ca_file);

  prepare = g_task_new (self, cancellable, prepared_cb, g_steal_pointer (&task));
  g_task_set_source_tag (prepare, prepare_thread);
  g_task_set_task_data (prepare, GINT_TO_POINTER (cd_account_source_has_environment ()), NULL);
  g_task_run_in_thread (prepare, prepare_thread);
}

void
cd_session_load_finish (CdSession    *self,
                        GAsyncResult *result)
{
  g_return_if_fail (g_task_is_valid (result, self));

  g_task_propagate_boolean (G_TASK (result), NULL);
}

/* Signing in and out */

void
cd_session_sign_in (CdSession *self,
                    CdAccount *account)
{
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;

  g_return_if_fail (CD_IS_SESSION (self));
  g_return_if_fail (CD_IS_ACCOUNT (account));

  if (self->jobs == NULL || self->account == NULL ||
      g_strcmp0 (cd_account_get_host (account), cd_account_get_host (self->account)) != 0)
    {
      _cd_session_set_expired (self, FALSE);
      cd_session_connect (self, account, NULL, NULL);
      return;
    }

  /* The same site: the jobs stay, paused ones go on with the new keys. */
  _cd_session_set_account (self, account);
  if (!self->demo && !cd_account_source_apply_tls (account, NULL, &error))
    {
      _cd_session_message (self, error->message);
      return;
    }
  if ((client = cd_account_create_client (account, &error)) == NULL)
    {
      _cd_session_message (self, error->message);
      return;
    }
  _cd_session_set_client (self, client);
  _cd_session_move_jobs (self, client);
  cd_job_list_set_client (self->jobs, client);
  _cd_session_set_expired (self, FALSE);

  subtitle = describe_account (cd_account_get_display_name (account), cd_client_get_host (client));
  cd_session_set_subtitle (self, subtitle);
  _cd_session_account_changed (self);
}

void
cd_session_sign_out (CdSession *self)
{
  g_return_if_fail (CD_IS_SESSION (self));

  g_cancellable_cancel (self->connecting);
  _cd_session_set_jobs (self, NULL);
  _cd_session_set_client (self, NULL);
  _cd_session_set_expired (self, FALSE);
  cd_session_set_subtitle (self, NULL);
  _cd_session_account_changed (self);
}

gboolean
cd_session_trust_certificate (CdSession          *self,
                              CdCertificateInfo  *info,
                              GError            **error)
{
  g_autoptr(CdAccount) account = NULL;
  const char *sha256;

  g_return_val_if_fail (CD_IS_SESSION (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  /* Signed out meanwhile: nothing is connecting to that host. */
  if (self->account == NULL)
    return TRUE;

  /* Exactly this certificate, for this host only; saved for next time. */
  sha256 = cd_certificate_info_get_sha256 (info);
  if (self->settings != NULL &&
      !cd_settings_set_trusted_certificate (self->settings, cd_account_get_host (self->account),
                                            sha256, error))
    return FALSE;
  if (!cd_account_set_pinned_certificate (self->account, sha256, error))
    return FALSE;

  /* Again, with a client that trusts it: the jobs and the whoami. */
  account = g_object_ref (self->account);
  cd_session_connect (self, account, NULL, NULL);
  return TRUE;
}
