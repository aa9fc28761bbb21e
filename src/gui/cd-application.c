/* cd-application.c: the Coursedrop application
 *
 * One instance: files opened later (command line, "Open With") reach the
 * running window.  The application owns the account's client, the job
 * journal and the job list, so jobs keep going whatever the window does;
 * the window shows them.  With --demo it first starts a local sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "cd-account.h"
#include "cd-account-window.h"
#include "cd-certificate.h"
#include "cd-settings.h"
#include "cd-application.h"
#include "cd-demo.h"
#include "cd-gui-util.h"
#include "cd-window.h"
#include "cd-json.h"

#define METER_INTERVAL_MS 10

struct _CdApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;         /* (owned) (nullable): no schema installed */
  CdDemo         *demo;             /* (owned) (nullable) */
  char           *demo_dir;         /* (owned) (nullable): the demo's own journal */
  CdJobList      *jobs;             /* (owned) (nullable): no account yet */
  CdAccount      *account;          /* (owned) (nullable): what the account window edits */
  CdClient       *client;           /* (owned) (nullable): the newest client of the account */
  CdAccountWindow *account_window;  /* (unowned) (nullable): weak pointer */
  gboolean        expired;          /* the sign-in expired: the banner shows */
  gboolean        trust_offered;    /* an Untrusted Certificate dialog is up */
  char           *subtitle_from_account;  /* (owned) (nullable): scratch */
  GCancellable   *cancellable;      /* (owned) */
  CdWindow       *window;           /* (unowned) (nullable): weak pointer */
  GFile          *sample_package;   /* (owned) (nullable) */

  /* What the window shows; kept here so that a window made later shows it too. */
  char           *subtitle;         /* (owned) (nullable) */
  char           *failure_title;    /* (owned) (nullable) */
  char           *failure_text;     /* (owned) (nullable) */
  char           *account_problem;  /* (owned) (nullable): why there is no account */
  GPtrArray      *pending_toasts;   /* (owned) (element-type utf8) */

  /* COURSEDROP_MEASURE_LATENCY: how late the main loop runs a 10 ms timeout. */
  guint           meter_source;
  gint64          meter_expected;
  gint64          worst_lateness;
  gint64          worst_upload_lateness;
  gboolean        measured_upload;

  guint           sigint_source;
  guint           sigterm_source;
  gboolean        demo_mode;
  gboolean        starting;
};

G_DEFINE_FINAL_TYPE (CdApplication, cd_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Try Coursedrop against a local Brightspace sandbox, without an account"), NULL },
  G_OPTION_ENTRY_NULL
};

static void
apply_state (CdApplication *self)
{
  if (self->window == NULL)
    return;

  cd_window_set_job_list (self->window, self->jobs);
  cd_window_set_client (self->window, self->client);
  cd_window_set_sign_in_expired (self->window, self->expired);
  cd_window_set_starting (self->window, self->starting);
  cd_window_set_failure (self->window, self->failure_title, self->failure_text);
  cd_window_set_subtitle (self->window, self->subtitle);
  cd_window_set_sample_package (self->window, self->sample_package);

  for (guint i = 0; i < self->pending_toasts->len; i++)
    cd_window_show_toast (self->window, g_ptr_array_index (self->pending_toasts, i));
  g_ptr_array_set_size (self->pending_toasts, 0);
}

static void
toast (CdApplication *self,
       const char    *message)
{
  g_ptr_array_add (self->pending_toasts, g_strdup (message));
  apply_state (self);
}

static CdWindow *
ensure_window (CdApplication *self)
{
  if (self->window == NULL)
    {
      self->window = cd_window_new (GTK_APPLICATION (self));
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *)&self->window);
      apply_state (self);
    }

  return self->window;
}

static void
set_subtitle (CdApplication *self,
              const char    *subtitle)
{
  g_free (self->subtitle);
  self->subtitle = g_strdup (subtitle);
  apply_state (self);
}

static void
set_failure (CdApplication *self,
             const char    *title,
             const char    *text)
{
  g_free (self->failure_title);
  g_free (self->failure_text);
  self->failure_title = g_strdup (title);
  self->failure_text = g_strdup (text);
  apply_state (self);
}

/* Notifications */

static void
job_finished_cb (CdJobList     *jobs,
                 CdImportJob   *job,
                 CdApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const char *token = cd_import_job_get_token (job);
  const GError *error = cd_import_job_get_error (job);

  /* Following was stopped on purpose (Remove, quitting): nothing to say. */
  if (g_error_matches (error, CD_JOB_ERROR, CD_JOB_ERROR_CANCELLED))
    return;

  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "notify-on-completion"))
    return;

  /* The row already says it to whoever looks at the window. */
  if (self->window != NULL && gtk_window_is_active (GTK_WINDOW (self->window)))
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

  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* The account */

static void set_expired (CdApplication *self,
                         gboolean       expired);

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  CdApplication *self = user_data;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *subtitle = NULL;
  const char *name;

  user = cd_client_whoami_finish (CD_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (user == NULL)
    {
      if (cd_application_handle_error (self, CD_CLIENT (object), error))
        return;
      /* Imports would fail the same way: say it now rather than later. */
      toast (self, error->message);
      return;
    }

  set_expired (self, FALSE);
  name = self->account != NULL ? cd_account_get_display_name (self->account) : NULL;
  if (name == NULL)
    name = cd_json_get_string (user, "UniqueName");
  if (name == NULL || self->demo_mode)
    return;

  host = cd_format_host (cd_client_get_host (CD_CLIENT (object)));
  /* Translators: “dana.demo on school.brightspace.com”. */
  subtitle = g_strdup_printf (_("%s on %s"), name, host);
  set_subtitle (self, subtitle);
}

static void
set_expired (CdApplication *self,
             gboolean       expired)
{
  self->expired = expired;
  apply_state (self);
}

static void
job_paused_cb (CdImportJob   *job,
               GParamSpec    *pspec,
               CdApplication *self)
{
  if (cd_import_job_get_paused (job))
    set_expired (self, TRUE);
}

static void
watch_job (CdApplication *self,
           CdImportJob   *job)
{
  g_signal_connect_object (job, "notify::paused", G_CALLBACK (job_paused_cb), self, 0);
  if (cd_import_job_get_paused (job))
    set_expired (self, TRUE);
}

static void
jobs_items_changed_cb (GListModel    *model,
                       guint          position,
                       guint          removed,
                       guint          added,
                       CdApplication *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (model, i);

      watch_job (self, job);
    }
}

static void connect_account (CdApplication *self,
                             CdAccount     *account,
                             const char    *journal_path,
                             const char    *subtitle);

static void
drop_jobs (CdApplication *self)
{
  if (self->window != NULL)
    cd_window_set_job_list (self->window, NULL);
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_data (self->jobs, self);
  g_clear_object (&self->jobs);
  g_clear_object (&self->client);
}

/* Certificate trust */

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   CdApplication    *self)
{
  CdCertificateInfo *info = g_object_get_data (G_OBJECT (dialog), "certificate");
  g_autoptr(GError) error = NULL;
  g_autoptr(CdAccount) account = NULL;

  self->trust_offered = FALSE;
  if (!g_str_equal (response, "trust") || self->account == NULL)
    return;

  /* Exactly this certificate, for this host only; saved for next time. */
  if (self->settings != NULL &&
      !cd_settings_set_trusted_certificate (self->settings, cd_account_get_host (self->account),
                                            cd_certificate_info_get_sha256 (info), &error))
    {
      toast (self, error->message);
      return;
    }
  if (!cd_account_set_pinned_certificate (self->account, cd_certificate_info_get_sha256 (info),
                                          &error))
    {
      toast (self, error->message);
      return;
    }

  /* Retry: the jobs and the whoami again, with a client that trusts it. */
  account = g_object_ref (self->account);
  drop_jobs (self);
  connect_account (self, account, NULL, NULL);
}

static GtkWidget *
certificate_field (GtkGrid    *grid,
                   int         row,
                   const char *name,
                   const char *value,
                   gboolean    monospace)
{
  GtkWidget *title = gtk_label_new (name);
  GtkWidget *label = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (title), 1);
  gtk_label_set_yalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  /* A minimum width, or the dialog measures the labels one character wide. */
  gtk_label_set_width_chars (GTK_LABEL (label), monospace ? 47 : 36);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_widget_set_hexpand (label, TRUE);
  if (monospace)
    gtk_widget_add_css_class (label, "monospace");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  title, NULL, -1);
  gtk_grid_attach (grid, title, 0, row, 1, 1);
  gtk_grid_attach (grid, label, 1, row, 1, 1);

  return label;
}

static void
offer_trust (CdApplication     *self,
             CdCertificateInfo *info)
{
  g_autofree char *errors = cd_certificate_info_describe_errors (info);
  g_autofree char *body = NULL;
  g_autofree char *not_before = NULL;
  g_autofree char *not_after = NULL;
  g_autofree char *validity = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(GDateTime) local_before = NULL;
  g_autoptr(GDateTime) local_after = NULL;
  GtkWidget *dialog;
  GtkWidget *grid;

  if (self->trust_offered)
    return;
  self->trust_offered = TRUE;

  local_before = g_date_time_to_local (cd_certificate_info_get_not_before (info));
  local_after = g_date_time_to_local (cd_certificate_info_get_not_after (info));
  not_before = g_date_time_format (local_before, "%x");
  not_after = g_date_time_format (local_after, "%x");
  /* Translators: a certificate's validity, “1/2/2026 to 1/2/2027”. */
  validity = g_strdup_printf (_("%s to %s"), not_before, not_after);
  body = g_strdup_printf (_("%s\n\nTrust it only if you know that %s uses this certificate, "
                            "for example after comparing the fingerprint with your "
                            "administrator."), errors, cd_certificate_info_get_host (info));

  dialog = adw_message_dialog_new (GTK_WINDOW (ensure_window (self)),
                                   _("Untrusted Certificate"), body);
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  certificate_field (GTK_GRID (grid), 0, _("Subject"), cd_certificate_info_get_subject (info), FALSE);
  certificate_field (GTK_GRID (grid), 1, _("Issuer"), cd_certificate_info_get_issuer (info), FALSE);
  certificate_field (GTK_GRID (grid), 2, _("Valid"), validity, FALSE);
  /* 95 characters: two lines of 16 bytes each. */
  fingerprint = g_strdup (cd_certificate_info_get_sha256 (info));
  if (strlen (fingerprint) == 95)
    fingerprint[47] = '\n';
  certificate_field (GTK_GRID (grid), 3, _("SHA-256"), fingerprint, TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), grid);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust This Certificate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "certificate", cd_certificate_info_ref (info),
                          (GDestroyNotify) cd_certificate_info_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* An expired sign-in shows the banner, an untrusted certificate the trust
 * dialog.  TRUE when @error was one of those. */
gboolean
cd_application_handle_error (CdApplication *self,
                             CdClient      *client,
                             const GError  *error)
{
  g_return_val_if_fail (CD_IS_APPLICATION (self), FALSE);

  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN) ||
      g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED))
    {
      if (!self->demo_mode)
        set_expired (self, TRUE);
      return !self->demo_mode;
    }

  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS) && client != NULL &&
      !self->demo_mode)
    {
      g_autoptr(CdCertificateInfo) info = cd_client_get_last_untrusted_certificate (client);

      if (info == NULL)
        return FALSE;
      offer_trust (self, info);
      return TRUE;
    }

  return FALSE;
}

/* Loads the journal and the jobs of @account.  @journal_path NULL is the
 * user's journal; @subtitle NULL is the account's address. */
static void
connect_account (CdApplication *self,
                 CdAccount     *account,
                 const char    *journal_path,
                 const char    *subtitle)
{
  g_autoptr(CdClient) client = NULL;
  g_autoptr(CdJobJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  const char *ca_file = g_getenv ("COURSEDROP_CA_FILE");

  client = cd_account_create_client (account, &error);
  if (client != NULL && !self->demo_mode && ca_file != NULL && ca_file[0] != '\0' &&
      !cd_client_set_ca_file (client, ca_file, &error))
    g_clear_object (&client);
  if (client == NULL)
    {
      set_failure (self, _("Cannot Connect to Brightspace"), error->message);
      return;
    }

  journal = cd_job_journal_new (journal_path);
  if (!cd_job_journal_load (journal, &error))
    {
      g_autofree char *text =
        g_strdup_printf (_("%s\n\nCoursedrop records every import there so that none is lost. "
                           "Fix or move that file, then start Coursedrop again."), error->message);

      set_failure (self, _("The Job History Could Not Be Read"), text);
      return;
    }
  if (cd_job_journal_get_load_warning (journal) != NULL)
    toast (self, cd_job_journal_get_load_warning (journal));

  g_set_object (&self->client, client);
  self->jobs = cd_job_list_new (client, journal);
  g_signal_connect_object (self->jobs, "job-finished", G_CALLBACK (job_finished_cb), self, 0);
  g_signal_connect_object (self->jobs, "items-changed", G_CALLBACK (jobs_items_changed_cb),
                           self, 0);
  if (!cd_job_list_load (self->jobs, &error))
    toast (self, error->message);
  jobs_items_changed_cb (G_LIST_MODEL (self->jobs), 0, 0,
                         g_list_model_get_n_items (G_LIST_MODEL (self->jobs)), self);

  host = cd_format_host (cd_client_get_host (client));
  if (subtitle == NULL && cd_account_get_display_name (account) != NULL)
    /* Translators: “Dana Demo on school.brightspace.com”. */
    self->subtitle_from_account = g_strdup_printf (_("%s on %s"),
                                                   cd_account_get_display_name (account), host);
  set_subtitle (self, subtitle != NULL ? subtitle
                : self->subtitle_from_account != NULL ? self->subtitle_from_account : host);
  g_clear_pointer (&self->subtitle_from_account, g_free);

  cd_client_whoami_async (client, self->cancellable, whoami_cb, self);
}

static void
demo_started_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CdApplication *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autofree char *url = NULL;
  g_autofree char *journal_path = NULL;

  url = cd_demo_start_finish (CD_DEMO (object), result, &error);
  self->starting = FALSE;

  if (url == NULL)
    {
      set_failure (self, _("The Demo Could Not Start"), error->message);
      g_application_release (G_APPLICATION (self));
      return;
    }

  /* A journal of its own: demo jobs must not mix with real ones. */
  self->demo_dir = g_dir_make_tmp ("coursedrop-demo-XXXXXX", &error);
  if (self->demo_dir == NULL)
    {
      set_failure (self, _("The Demo Could Not Start"), error->message);
      g_application_release (G_APPLICATION (self));
      return;
    }
  journal_path = g_build_filename (self->demo_dir, "jobs.json", NULL);

  self->sample_package = cd_demo_find_sample_package ();
  account = cd_demo_create_account (url);
  connect_account (self, account, journal_path, _("Demo — local sandbox"));

  g_application_release (G_APPLICATION (self));
}

static gboolean
environment_has_account (void)
{
  static const char * const names[] = {
    "COURSEDROP_HOST", "COURSEDROP_APP_ID", "COURSEDROP_APP_KEY",
    "COURSEDROP_USER_ID", "COURSEDROP_USER_KEY",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_getenv (names[i]) != NULL && g_getenv (names[i])[0] != '\0')
      return TRUE;

  return FALSE;
}

static void
use_account (CdApplication *self,
             CdAccount     *account,
             const GError  *load_error)
{
  g_autoptr(GError) error = NULL;
  const char *ca_file = g_getenv ("COURSEDROP_CA_FILE");

  g_set_object (&self->account, account);
  g_clear_pointer (&self->account_problem, g_free);

  if (account == NULL)
    {
      /* Nothing saved at all is the normal first start: no complaint. */
      if (load_error != NULL &&
          !g_error_matches (load_error, CD_ACCOUNT_ERROR, CD_ACCOUNT_ERROR_NO_HOST) &&
          !g_error_matches (load_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->account_problem = g_strdup (load_error->message);
      apply_state (self);
      return;
    }

  if (ca_file != NULL && ca_file[0] != '\0')
    cd_account_set_ca_file (account, ca_file);

  if (!cd_account_has_app (account) || !cd_account_require_user (account, &error))
    {
      /* Signed out: the account window offers to sign in. */
      apply_state (self);
      return;
    }

  connect_account (self, account, NULL, NULL);
}

static void
saved_account_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CdApplication *self = user_data;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = cd_account_load_saved_finish (result, &error);
  use_account (self, account, error);
  g_application_release (G_APPLICATION (self));
}

static void
setup_account (CdApplication *self)
{
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (self->demo_mode)
    {
      self->demo = cd_demo_new ();
      self->starting = TRUE;
      set_subtitle (self, _("Demo — local sandbox"));
      /* Until the sandbox answers, nothing else may end the application. */
      g_application_hold (G_APPLICATION (self));
      cd_demo_start_async (self->demo, self->cancellable, demo_started_cb, self);
      return;
    }

  /* Nothing in the environment: the saved account, without blocking. */
  if (!environment_has_account ())
    {
      g_application_hold (G_APPLICATION (self));
      cd_account_load_saved_async (self->cancellable, saved_account_cb, self);
      return;
    }

  /* The command line's rules: the environment first, the saved account
   * for whatever it lacks (a keyring lookup, once, at startup). */
  account = cd_account_new_from_environment_or_saved (NULL, self->cancellable, &error);
  use_account (self, account, error);
}

/* Actions */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CdApplication *self = user_data;

  adw_show_about_window (GTK_WINDOW (ensure_window (self)),
                         "application-name", _("Coursedrop"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Coursedrop developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Import course packages into D2L Brightspace"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
signed_in_cb (CdAccountWindow *window,
              CdAccount       *account,
              CdApplication   *self)
{
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *subtitle = NULL;
  const char *ca_file = g_getenv ("COURSEDROP_CA_FILE");

  if (self->jobs == NULL || self->account == NULL ||
      g_strcmp0 (cd_account_get_host (account), cd_account_get_host (self->account)) != 0)
    {
      drop_jobs (self);
      g_set_object (&self->account, account);
      set_expired (self, FALSE);
      connect_account (self, account, NULL, NULL);
      return;
    }

  /* The same site: the jobs stay, paused ones go on with the new keys. */
  g_set_object (&self->account, account);
  if (ca_file != NULL && ca_file[0] != '\0')
    cd_account_set_ca_file (account, ca_file);
  client = cd_account_create_client (account, &error);
  if (client == NULL)
    {
      toast (self, error->message);
      return;
    }
  g_set_object (&self->client, client);
  cd_job_list_set_client (self->jobs, client);

  self->expired = FALSE;
  host = cd_format_host (cd_client_get_host (client));
  if (cd_account_get_display_name (account) != NULL)
    subtitle = g_strdup_printf (_("%s on %s"), cd_account_get_display_name (account), host);
  set_subtitle (self, subtitle != NULL ? subtitle : host);
}

static void
signed_out_cb (CdAccountWindow *window,
               CdApplication   *self)
{
  drop_jobs (self);
  self->expired = FALSE;
  set_subtitle (self, NULL);
}

static void
account_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  CdApplication *self = user_data;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  if (!self->demo_mode)
    {
      if (self->account_window == NULL)
        {
          self->account_window = cd_account_window_new (GTK_WINDOW (ensure_window (self)),
                                                        self->account);
          g_object_add_weak_pointer (G_OBJECT (self->account_window),
                                     (gpointer *)&self->account_window);
          g_signal_connect_object (self->account_window, "signed-in",
                                   G_CALLBACK (signed_in_cb), self, 0);
          g_signal_connect_object (self->account_window, "signed-out",
                                   G_CALLBACK (signed_out_cb), self, 0);
          if (self->account_problem != NULL)
            cd_window_show_toast (ensure_window (self), self->account_problem);
        }
      gtk_window_present (GTK_WINDOW (self->account_window));
      return;
    }

  if (self->jobs != NULL)
    g_string_append_printf (body, _("Coursedrop is connected to %s.\n\n"),
                            cd_client_get_host (cd_job_list_get_client (self->jobs)));
  else if (self->account_problem != NULL)
    g_string_append_printf (body, "%s\n\n", self->account_problem);

  /* The demo keeps its own account: nothing to save or sign out of. */
  g_string_append (body, _("This is the demo: a local sandbox stands in for Brightspace, "
                           "and nothing leaves this computer."));

  dialog = adw_message_dialog_new (GTK_WINDOW (ensure_window (self)), _("Account"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_job_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CdApplication *self = user_data;
  CdWindow *window = ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
  cd_window_show_job (window, g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "account", account_action },
  { "show-job", show_job_action, "s" },
};

/* Latency */

static gboolean
any_upload (CdApplication *self)
{
  guint n = self->jobs != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->jobs)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (cd_import_job_is_running (job) && cd_import_job_get_token (job) == NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
meter_cb (gpointer user_data)
{
  CdApplication *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = MAX (0, now - self->meter_expected);

  self->worst_lateness = MAX (self->worst_lateness, late);
  if (any_upload (self))
    {
      self->measured_upload = TRUE;
      self->worst_upload_lateness = MAX (self->worst_upload_lateness, late);
    }

  self->meter_expected = now + METER_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
  return G_SOURCE_CONTINUE;
}

static void
start_meter (CdApplication *self)
{
  self->meter_expected = g_get_monotonic_time () + METER_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
  self->meter_source = g_timeout_add_full (G_PRIORITY_DEFAULT, METER_INTERVAL_MS, meter_cb,
                                           self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->meter_source),
                            "[coursedrop] latency meter");
}

static void
stop_meter (CdApplication *self)
{
  if (self->meter_source == 0)
    return;

  g_clear_handle_id (&self->meter_source, g_source_remove);
  if (self->measured_upload)
    g_printerr ("coursedrop: main loop worst lateness %" G_GINT64_FORMAT " ms while uploading, "
                "%" G_GINT64_FORMAT " ms overall\n",
                self->worst_upload_lateness / 1000, self->worst_lateness / 1000);
  else
    g_printerr ("coursedrop: main loop worst lateness %" G_GINT64_FORMAT " ms overall "
                "(no upload ran)\n", self->worst_lateness / 1000);
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
  static const char * const quit_accels[] = { "<Control>q", NULL };
  static const char * const close_accels[] = { "<Control>w", NULL };
  static const char * const open_accels[] = { "<Control>o", NULL };

  G_APPLICATION_CLASS (cd_application_parent_class)->startup (application);

  g_set_application_name (_("Coursedrop"));
  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.open", open_accels);

  self->settings = cd_settings_new ();

  /* Quit cleanly on a signal: the demo sandbox goes with us. */
  self->sigint_source = g_unix_signal_add (SIGINT, signal_quit_cb, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, signal_quit_cb, self);

  if (g_strcmp0 (g_getenv ("COURSEDROP_MEASURE_LATENCY"), "1") == 0)
    start_meter (self);

  setup_account (self);
}

static void
cd_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (ensure_window (CD_APPLICATION (application))));
}

static void
cd_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CdWindow *window = ensure_window (CD_APPLICATION (application));

  for (int i = 0; i < n_files; i++)
    cd_window_add_file (window, files[i]);

  gtk_window_present (GTK_WINDOW (window));
}

static void
remove_demo_dir (CdApplication *self)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self->demo_dir == NULL)
    return;

  if ((dir = g_dir_open (self->demo_dir, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (self->demo_dir, name, NULL);

        g_unlink (path);
      }
  g_rmdir (self->demo_dir);
  g_clear_pointer (&self->demo_dir, g_free);
}

static void
cd_application_shutdown (GApplication *application)
{
  CdApplication *self = CD_APPLICATION (application);

  stop_meter (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  /* Jobs stop following; the journal keeps them for the next start. */
  if (self->window != NULL)
    cd_window_set_job_list (self->window, NULL);
  g_clear_object (&self->jobs);

  if (self->demo != NULL)
    cd_demo_stop (self->demo);
  remove_demo_dir (self);

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

  g_clear_object (&self->settings);
  g_clear_object (&self->demo);
  g_clear_object (&self->jobs);
  g_clear_object (&self->account);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sample_package);
  g_clear_pointer (&self->demo_dir, g_free);
  g_clear_pointer (&self->subtitle, g_free);
  g_clear_pointer (&self->failure_title, g_free);
  g_clear_pointer (&self->failure_text, g_free);
  g_clear_pointer (&self->account_problem, g_free);
  g_clear_pointer (&self->subtitle_from_account, g_free);
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
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[PACKAGE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Import course packages (.zip, .imscc) into D2L "
                                              "Brightspace course offerings."));
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
