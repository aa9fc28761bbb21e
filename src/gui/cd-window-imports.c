/* cd-window-imports.c: starting, retrying, removing and tracking jobs
 *
 * Brightspace appends what it imports, so importing a package into the
 * same offering twice duplicates the course's content.  Every new upload
 * therefore goes through the journal's duplicate guard and, when the
 * package was imported there before, through a question.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cd-gui-util.h"
#include "cd-time-format.h"
#include "cd-track-job-dialog.h"
#include "cd-window-private.h"
#include "cd-json.h"
#include "cd-validate.h"

/* CdImportLogEntry.operation of Brightspace's import (1 is conversion). */
#define LOG_OPERATION_IMPORT 2
/* How often the duplicate check's progress is shown. */
#define GUARD_PROGRESS_INTERVAL_MS 250

typedef struct
{
  CdWindow    *self;           /* (owned) */
  CdNewImport *card;           /* (owned) (nullable): the pending card it comes from */
  CdPackage   *package;        /* (owned) */
  char        *offering_name;  /* (owned) (nullable) */
  gint64       offering_id;
  CdImportJob *retry_of;       /* (owned) (nullable): the failed job it retries */
  CdPackagePreview *preview;   /* (owned) (nullable): what the job verifies against */
  guint        progress_source;  /* the guard's full digest, shown on the card */
} ImportRequest;

static void
import_request_free (ImportRequest *request)
{
  g_clear_handle_id (&request->progress_source, g_source_remove);
  g_clear_object (&request->self);
  g_clear_object (&request->card);
  g_clear_object (&request->package);
  g_clear_object (&request->retry_of);
  g_clear_object (&request->preview);
  g_clear_pointer (&request->offering_name, g_free);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportRequest, import_request_free)

static void
start_import (ImportRequest *request)
{
  CdWindow *self = request->self;
  CdJobList *jobs = self->jobs;
  g_autoptr(CdImportJob) job = NULL;

  job = cd_import_job_new_for_package (_cd_window_get_client (self),
                                       cd_job_list_get_journal (jobs),
                                       request->package, request->offering_id);
  cd_import_job_set_offering_name (job, request->offering_name);
  /* What arrived is checked against it once Brightspace says COMPLETED. */
  cd_import_job_set_preview (job, request->preview);
  cd_job_list_add (jobs, job);
  cd_import_job_start (job);

  if (request->card != NULL && gtk_widget_get_parent (GTK_WIDGET (request->card)) != NULL)
    _cd_window_remove_pending (self, request->card);

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);

  /* The Import button (or Retry's dialog) is gone: the keyboard goes on
   * from the new job, first in the list. */
  _cd_window_focus_row (self, 0);
}

static void
duplicate_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  g_autoptr(ImportRequest) request = user_data;

  if (request->card != NULL)
    cd_new_import_set_busy (request->card, FALSE);

  if (g_strcmp0 (response, "import") == 0 && request->self->jobs != NULL)
    start_import (request);
}

static void
ask_about_duplicate (ImportRequest *request,
                     CdJobRecord   *previous)
{
  g_autofree char *course = NULL;
  g_autofree char *when = NULL;
  AdwMessageDialog *dialog;

  if (previous->offering_name != NULL)
    course = g_strdup (previous->offering_name);
  else if (request->offering_name != NULL)
    course = g_strdup (request->offering_name);
  else
    course = g_strdup_printf (_("Course offering %" PRId64), request->offering_id);

  if (previous->started != NULL)
    when = cd_time_format (previous->started);
  else
    when = g_strdup (_("an earlier day"));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (request->self),
                                                       _("Import Again?"), NULL));
  if (cd_import_job_record_outcome_unknown (previous))
    adw_message_dialog_format_body (dialog,
                                    /* Translators: package, course, date. */
                                    _("“%s” was sent to %s (%s), but Brightspace never said "
                                      "whether it started the import, so it may be there "
                                      "already. Check the course’s import history first: "
                                      "Brightspace adds imported content again, so the course "
                                      "may end up with duplicates."),
                                    cd_package_get_display_name (request->package), course, when);
  else
    adw_message_dialog_format_body (dialog,
                                    /* Translators: package, course, date. */
                                    _("“%s” was already imported into %s (%s). Brightspace adds "
                                      "imported content again, so the course may end up with "
                                      "duplicates."),
                                    cd_package_get_display_name (request->package), course, when);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "import", _("_Import Again"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "import", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  if (request->card != NULL)
    cd_new_import_set_busy (request->card, TRUE);

  cd_fix_button_names (GTK_WIDGET (dialog));
  g_signal_connect (dialog, "response", G_CALLBACK (duplicate_response_cb), request);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Whether a failed @job may have put content into its course.  An upload
 * that never got a token, or a package Brightspace could not convert (its
 * log has no entry of the import operation), added nothing; a job whose
 * log is unknown (restored from the journal) may have. */
static gboolean
failure_may_have_imported (CdImportJob *job)
{
  GPtrArray *logs = cd_import_job_get_logs (job);

  if (cd_import_job_record_outcome_unknown (cd_import_job_get_record (job)) ||
      g_error_matches (cd_import_job_get_error (job),
                       CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN))
    return TRUE;
  if (cd_import_job_get_token (job) == NULL)
    return FALSE;
  if (logs == NULL || logs->len == 0)
    return TRUE;

  for (guint i = 0; i < logs->len; i++)
    if (((CdImportLogEntry *)g_ptr_array_index (logs, i))->operation == LOG_OPERATION_IMPORT)
      return TRUE;

  return FALSE;
}

static CdImportJob *
job_of_record (CdWindow    *self,
               CdJobRecord *record)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (cd_import_job_get_record (job) == record)
        return job;
    }

  return NULL;
}

/* The duplicate guard for a retry: an earlier job of that package into that
 * offering that may have put content there, skipping failures known to
 * have stopped before Brightspace imported anything (the retried one's, as
 * a rule).  (transfer none) (nullable) */
static CdJobRecord *
find_previous_for_retry (CdWindow    *self,
                         const char  *host,
                         gint64       offering,
                         const char  *sha256)
{
  GPtrArray *records = cd_job_journal_get_records (cd_job_list_get_journal (self->jobs));

  for (guint i = records->len; i > 0; i--)
    {
      CdJobRecord *record = g_ptr_array_index (records, i - 1);
      CdImportJob *job;

      if (record->offering != offering || record->sha256 == NULL ||
          g_ascii_strcasecmp (record->sha256, sha256) != 0 ||
          !cd_job_journal_host_equal (record->host, host))
        continue;

      job = job_of_record (self, record);
      if (job != NULL && cd_import_job_get_finished (job) != NULL &&
          !cd_import_job_succeeded (job) && !failure_may_have_imported (job))
        continue;
      if (record->token != NULL || cd_import_job_record_outcome_unknown (record))
        return record;
    }

  return NULL;
}

static void
guard_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ImportRequest) request = user_data;
  g_autoptr(CdJobRecord) previous = NULL;
  g_autoptr(GError) error = NULL;

  previous = cd_import_job_find_previous_finish (result, &error);
  /* Cancelled: the window is going away. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (request->progress_source != 0)
    {
      g_clear_handle_id (&request->progress_source, g_source_remove);
      if (request->card != NULL)
        cd_new_import_set_activity (request->card, NULL);
    }
  if (request->card != NULL)
    cd_new_import_set_busy (request->card, FALSE);
  if (error != NULL)
    _cd_window_show_error_toast (request->self, error->message);
  else if (request->self->jobs == NULL)
    return;
  else if (previous != NULL && request->retry_of != NULL && previous->sha256 != NULL)
    {
      /* A retry: the failure being retried may have added nothing. */
      CdJobRecord *earlier =
        find_previous_for_retry (request->self,
                                 cd_client_get_host (_cd_window_get_client (request->self)),
                                 request->offering_id, previous->sha256);

      if (earlier != NULL)
        ask_about_duplicate (g_steal_pointer (&request), earlier);
      else
        start_import (request);
    }
  else if (previous != NULL)
    ask_about_duplicate (g_steal_pointer (&request), previous);
  else
    start_import (request);
}

/* The guard's full digest of a large package takes seconds: the card
 * says what it waits for, and how far it got. */
static gboolean
show_guard_progress_cb (gpointer user_data)
{
  ImportRequest *request = user_data;
  gint64 size = cd_package_get_size (request->package);
  gint64 done = cd_package_get_hashed_bytes (request->package);
  int percent = size > 0 ? (int) CLAMP (done * 100 / size, 0, 100) : 0;
  g_autofree char *text = NULL;

  /* Translators: %d is a percentage; “%%” is the percent sign. */
  text = g_strdup_printf (_("Checking whether this package was imported before… %d %%"),
                          percent);
  cd_new_import_set_activity (request->card, text);
  return G_SOURCE_CONTINUE;
}

static void
start_guard_progress (ImportRequest *request,
                      const char    *host)
{
  CdJobJournal *journal = cd_job_list_get_journal (request->self->jobs);

  if (request->card == NULL || cd_package_get_sha256 (request->package) != NULL ||
      !cd_import_job_needs_full_check (journal, host, request->offering_id, request->package))
    return;

  show_guard_progress_cb (request);
  request->progress_source = g_timeout_add (GUARD_PROGRESS_INTERVAL_MS,
                                            show_guard_progress_cb, request);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, request->progress_source),
                            "[coursedrop] duplicate check progress");
}

/* Takes @request.  The guard reads the whole package only when its quick
 * key matches an earlier job's; meanwhile the card shows it is busy. */
static void
request_import (ImportRequest *request)
{
  CdWindow *self = request->self;

  if (request->card != NULL)
    cd_new_import_set_busy (request->card, TRUE);
  start_guard_progress (request, cd_client_get_host (_cd_window_get_client (self)));
  cd_import_job_find_previous_async (cd_job_list_get_journal (self->jobs),
                                     cd_client_get_host (_cd_window_get_client (self)),
                                     request->offering_id, request->package, self->cancellable,
                                     guard_done_cb, request);
}

static ImportRequest *
import_request_new (CdWindow    *self,
                    CdPackage   *package,
                    gint64       offering_id,
                    const char  *offering_name,
                    CdNewImport *card)
{
  ImportRequest *request = g_new0 (ImportRequest, 1);

  request->self = g_object_ref (self);
  request->card = card != NULL ? g_object_ref (card) : NULL;
  request->package = g_object_ref (package);
  request->offering_id = offering_id;
  request->offering_name = g_strdup (offering_name);

  return request;
}

void
_cd_window_import_card (CdWindow    *self,
                        CdNewImport *card)
{
  ImportRequest *request;

  if (self->jobs == NULL || !cd_new_import_get_ready (card))
    return;

  request = import_request_new (self, cd_new_import_get_package (card),
                                cd_new_import_get_offering_id (card),
                                cd_new_import_get_offering_name (card), card);
  g_set_object (&request->preview, cd_new_import_get_preview (card));
  request_import (request);
}

static void
retry_check_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ImportRequest) request = user_data;
  g_autoptr(GError) error = NULL;

  if (!cd_package_check_finish (CD_PACKAGE (object), result, &error))
    {
      /* Cancelled: the window is going away. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _cd_window_show_error_toast (request->self, error->message);
      return;
    }

  /* The earlier preview fits the file only if it has not changed since. */
  if (request->retry_of != NULL &&
      g_strcmp0 (cd_package_get_quick_key (request->package),
                 cd_import_job_get_record (request->retry_of)->quick_key) != 0)
    g_clear_object (&request->preview);

  if (request->self->jobs != NULL)
    request_import (g_steal_pointer (&request));
}

void
_cd_window_retry_job (CdWindow    *self,
                      CdImportJob *job)
{
  CdJobRecord *record = cd_import_job_get_record (job);
  g_autoptr(CdPackage) package = NULL;
  g_autoptr(GError) error = NULL;
  ImportRequest *request;

  if (self->jobs == NULL || record->package == NULL)
    return;

  if (cd_import_job_get_package (job) != NULL)
    package = g_object_ref (cd_import_job_get_package (job));
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (record->package);

      package = cd_package_new (file);
    }

  /* The file may have changed or gone since: check it again. */
  if (!cd_package_check (package, &error))
    {
      _cd_window_show_error_toast (self, error->message);
      return;
    }

  /* Its quick key again too: the guard must see the file as it is now. */
  request = import_request_new (self, package, record->offering, record->offering_name, NULL);
  request->retry_of = g_object_ref (job);
  g_set_object (&request->preview, cd_import_job_get_preview (job));
  cd_package_check_async (package, self->cancellable, retry_check_cb, request);
}

void
_cd_window_try_again_job (CdWindow    *self,
                          CdImportJob *job)
{
  CdClient *client = _cd_window_get_client (self);

  /* The session's newest client: a new sign-in may be why it can go on. */
  if (self->jobs != NULL && client != NULL)
    cd_import_job_resume (job, client);
}

static guint
position_of (CdWindow    *self,
             CdImportJob *job)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdImportJob) item = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (item == job)
        return i;
    }

  return n;
}

/* Remove only takes the job off the list (and the journal): Brightspace
 * keeps what it imported.  The toast's Undo brings the job back from its
 * record, following it again if it was unfinished. */
void
_cd_window_remove_job (CdWindow    *self,
                       CdImportJob *job)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;
  g_autoptr(CdJobRecord) record = NULL;
  gboolean was_running;
  gboolean was_uploading;
  guint position;
  AdwToast *toast;

  if (self->jobs == NULL)
    return;

  g_object_ref (job);
  position = position_of (self, job);
  was_running = cd_import_job_is_running (job) && cd_import_job_get_token (job) != NULL;
  was_uploading = cd_import_job_is_running (job) && cd_import_job_get_token (job) == NULL;
  /* The record itself, not a copy: Undo brings back the same job, known
   * by the same identity to the journal and to coursedrop-cli. */
  record = cd_job_record_ref (cd_import_job_get_record (job));
  title = cd_format_job_title (cd_import_job_get_package_name (job),
                               cd_import_job_get_offering_name (job),
                               cd_import_job_get_offering_id (job),
                               cd_import_job_get_token (job));

  if (!cd_job_list_remove (self->jobs, job, &error))
    {
      _cd_window_show_error_toast (self, error->message);
      g_object_unref (job);
      return;
    }

  if (was_running)
    /* Translators: %s is “package → course”. */
    message = g_strdup_printf (_("Removed “%s” from the list; the import goes on in Brightspace"),
                               title);
  else
    /* Translators: %s is “package → course”. */
    message = g_strdup_printf (_("Removed “%s” from the list"), title);

  toast = _cd_window_new_toast (message, 10);
  /* An upload stopped half-way cannot resume: nothing to bring back. */
  if (!was_uploading)
    {
      g_hash_table_replace (self->removed, g_strdup (record->id), cd_job_record_ref (record));
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "win.undo-remove");
      adw_toast_set_action_target_value (toast, g_variant_new_string (record->id));
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  /* The Remove button went with its row: the keyboard goes on from the
   * row that took its place. */
  _cd_window_focus_row (self, position);

  g_object_unref (job);
}

void
_cd_window_undo_remove (CdWindow   *self,
                        const char *id)
{
  g_autofree char *key = NULL;
  g_autoptr(CdJobRecord) record = NULL;
  g_autoptr(CdImportJob) job = NULL;
  CdJobJournal *journal;

  if (self->jobs == NULL || !g_hash_table_steal_extended (self->removed, id, (gpointer *)&key,
                                                          (gpointer *)&record))
    return;

  journal = cd_job_list_get_journal (self->jobs);
  cd_job_journal_add (journal, record);
  job = cd_import_job_new_for_record (_cd_window_get_client (self), journal, record);
  cd_job_list_add (self->jobs, job);
  cd_job_journal_save_async (journal, NULL, NULL, NULL);
  if (record->token != NULL && record->finished == NULL)
    cd_import_job_start (job);

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
  _cd_window_focus_row (self, 0);
}

static void
course_name_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CdImportJob) job = user_data;
  g_autoptr(JsonObject) course = NULL;

  course = cd_client_get_course_finish (CD_CLIENT (object), result, NULL);
  if (course != NULL && cd_import_job_get_offering_name (job) == NULL)
    cd_import_job_set_offering_name (job,
                                     cd_json_get_string (course, "Name"));
}

/* A job that came without its course's name (tracked by token, or recorded
 * by coursedrop-cli) gets it from Brightspace, for its row's title. */
void
_cd_window_name_course (CdWindow    *self,
                        CdImportJob *job)
{
  CdClient *client = _cd_window_get_client (self);

  if (client == NULL || cd_import_job_get_offering_name (job) != NULL)
    return;

  cd_client_get_course_async (client, cd_import_job_get_offering_id (job), self->cancellable,
                              course_name_cb, g_object_ref (job));
}

/* Brightspace knows the job (the dialog asked): follow it. */
static void
track_cb (CdTrackJobDialog *dialog,
          gint64            offering_id,
          const char       *token,
          const char       *word,
          CdWindow         *self)
{
  CdImportJob *job;
  gboolean already;

  /* The dialog only lets valid ones through; checked again all the same. */
  if (self->jobs == NULL || offering_id <= 0 || !cd_validate_job_token (token, NULL))
    return;

  job = cd_job_list_track_token (self->jobs, offering_id, token, &already);
  if (already)
    {
      cd_window_show_job (self, token);
      cd_window_show_toast (self, _("Coursedrop already follows this job"));
      return;
    }

  g_debug ("Tracking job %s, which Brightspace reports as %s", token, word);
  cd_import_job_start (job);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
  /* The dialog is gone: the keyboard goes on from the job it added. */
  _cd_window_focus_row (self, 0);
}

void
_cd_window_track_job (CdWindow *self)
{
  CdTrackJobDialog *dialog;
  CdClient *client;

  if (self->jobs == NULL)
    {
      _cd_window_show_error_toast (self, _("Connect to Brightspace before tracking a job."));
      return;
    }

  client = _cd_window_get_client (self);
  if (client == NULL)
    {
      _cd_window_show_error_toast (self, _("Connect to Brightspace before tracking a job."));
      return;
    }

  dialog = cd_track_job_dialog_new (GTK_WINDOW (self), client);
  g_signal_connect_object (dialog, "track", G_CALLBACK (track_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
