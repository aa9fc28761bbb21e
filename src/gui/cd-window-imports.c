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
#include "cd-track-job-dialog.h"
#include "cd-window-private.h"
#include "cd-json.h"
#include "cd-validate.h"

typedef struct
{
  CdWindow    *self;           /* (owned) */
  CdNewImport *card;           /* (owned) (nullable): the pending card it comes from */
  CdPackage   *package;        /* (owned) */
  char        *offering_name;  /* (owned) (nullable) */
  gint64       offering_id;
} ImportRequest;

static void
import_request_free (ImportRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->card);
  g_clear_object (&request->package);
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
  cd_job_list_add (jobs, job);
  cd_import_job_start (job);

  if (request->card != NULL && gtk_widget_get_parent (GTK_WIDGET (request->card)) != NULL)
    _cd_window_remove_pending (self, request->card);

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
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
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (previous->started);

      /* Translators: a date and time, see g_date_time_format(). */
      when = g_date_time_format (local, _("%x at %H:%M"));
    }
  else
    when = g_strdup (_("an earlier day"));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (request->self),
                                                       _("Import Again?"), NULL));
  if (cd_import_job_record_outcome_unknown (previous))
    adw_message_dialog_format_body (dialog,
                                    /* Translators: package, course, date. */
                                    _("“%s” was sent to %s on %s, but Brightspace never said "
                                      "whether it started the import, so it may be there "
                                      "already. Check the course’s import history first: "
                                      "Brightspace adds imported content again, so the course "
                                      "may end up with duplicates."),
                                    cd_package_get_display_name (request->package), course, when);
  else
    adw_message_dialog_format_body (dialog,
                                    /* Translators: package, course, date. */
                                    _("“%s” was already imported into %s on %s. Brightspace adds "
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

  g_signal_connect (dialog, "response", G_CALLBACK (duplicate_response_cb), request);
  gtk_window_present (GTK_WINDOW (dialog));
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
  if (request->card != NULL)
    cd_new_import_set_busy (request->card, FALSE);
  if (error != NULL)
    _cd_window_show_error_toast (request->self, error->message);
  else if (request->self->jobs == NULL)
    return;
  else if (previous != NULL)
    ask_about_duplicate (g_steal_pointer (&request), previous);
  else
    start_import (request);
}

/* Takes @request.  The guard reads the whole package only when its quick
 * key matches an earlier job's; meanwhile the card shows it is busy. */
static void
request_import (ImportRequest *request)
{
  CdWindow *self = request->self;

  if (request->card != NULL)
    cd_new_import_set_busy (request->card, TRUE);
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
  if (self->jobs == NULL || !cd_new_import_get_ready (card))
    return;

  request_import (import_request_new (self, cd_new_import_get_package (card),
                                      cd_new_import_get_offering_id (card),
                                      cd_new_import_get_offering_name (card), card));
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

void
_cd_window_remove_job (CdWindow    *self,
                       CdImportJob *job)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;
  gboolean was_running;

  if (self->jobs == NULL)
    return;

  g_object_ref (job);
  was_running = cd_import_job_is_running (job) && cd_import_job_get_token (job) != NULL;
  title = cd_format_job_title (cd_import_job_get_package_name (job),
                               cd_import_job_get_offering_name (job),
                               cd_import_job_get_offering_id (job),
                               cd_import_job_get_token (job));

  if (!cd_job_list_remove (self->jobs, job, &error))
    _cd_window_show_error_toast (self, error->message);
  else if (was_running)
    {
      /* Translators: %s is “package → course”. */
      message = g_strdup_printf (_("Removed “%s”; the import goes on in Brightspace"), title);
      cd_window_show_toast (self, message);
    }
  else
    {
      /* Translators: %s is “package → course”. */
      message = g_strdup_printf (_("Removed “%s”"), title);
      cd_window_show_toast (self, message);
    }

  g_object_unref (job);
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

static void
track_response_cb (CdTrackJobDialog *dialog,
                   const char       *response,
                   CdWindow         *self)
{
  g_autofree char *token = NULL;
  CdImportJob *job;
  gint64 offering_id;
  gboolean already;

  if (g_strcmp0 (response, "track") != 0 || self->jobs == NULL)
    return;

  offering_id = cd_track_job_dialog_get_offering_id (dialog);
  token = cd_track_job_dialog_dup_token (dialog);
  /* The dialog only lets valid ones through; checked again all the same. */
  if (offering_id <= 0 || !cd_validate_job_token (token, NULL))
    return;

  job = cd_job_list_track_token (self->jobs, offering_id, token, &already);
  if (already)
    {
      cd_window_show_job (self, token);
      cd_window_show_toast (self, _("Coursedrop already follows this job"));
      return;
    }

  cd_import_job_start (job);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);
}

void
_cd_window_track_job (CdWindow *self)
{
  CdTrackJobDialog *dialog;

  if (self->jobs == NULL)
    {
      _cd_window_show_error_toast (self, _("Connect to Brightspace before tracking a job."));
      return;
    }

  dialog = cd_track_job_dialog_new (GTK_WINDOW (self));
  g_signal_connect_object (dialog, "response", G_CALLBACK (track_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
