/* cd-import-job-verify.c: checking what a COMPLETED import added
 *
 * A snapshot of the offering before the upload, another after COMPLETED;
 * what was added is compared with the package's preview (cd-verification.h).
 * Verification never fails a job: without permission to read the course,
 * or on any other trouble, the result says "not verified" and why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-client-content.h"
#include "cd-import-job-private.h"

#define properties _cd_import_job_properties

#define RECORD_MEMBER "verification"

typedef struct
{
  CdImportJob     *job;         /* (owned) */
  CdImportJobThen  then;
  GError          *outcome;     /* (owned) (nullable) */
  guint            generation;
} Step;

static Step *
step_new (CdImportJob *job)
{
  Step *step = g_new0 (Step, 1);

  step->job = g_object_ref (job);
  step->generation = job->generation;
  return step;
}

static void
step_free (Step *step)
{
  g_clear_object (&step->job);
  g_clear_error (&step->outcome);
  g_free (step);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Step, step_free)

static void
set_verification (CdImportJob    *self,
                  CdVerification *verification)
{
  g_autoptr(JsonNode) node = NULL;

  g_clear_pointer (&self->verification, cd_verification_free);
  self->verification = verification;

  if (verification != NULL)
    node = cd_verification_to_json (verification);
  cd_job_record_set_member (self->record, RECORD_MEMBER, node);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFICATION]);
}

static char *
not_verified_reason (const GError *error)
{
  if (g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN))
    return g_strdup (_("Coursedrop may not read this course’s content, quizzes, assignments or "
                       "discussions (a permission of your role or a scope of the app is missing)."));

  return g_strdup_printf (_("Coursedrop could not read the course: %s"), error->message);
}

static void
before_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Step) step = user_data;
  CdImportJob *self = step->job;
  g_autoptr(GError) error = NULL;
  CdContentSnapshot *snapshot;

  snapshot = cd_client_get_content_snapshot_finish (CD_CLIENT (object), result, &error);
  if (snapshot != NULL)
    {
      g_clear_pointer (&self->before, cd_content_snapshot_free);
      self->before = snapshot;
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *reason = not_verified_reason (error);

      g_debug ("No snapshot before the import: %s", error->message);
      set_verification (self, cd_verification_new_not_verified (reason));
    }

  /* The upload decides what a stop meant. */
  step->then (self);
}

/* A package whose outline names nothing checkable is not worth the
 * requests: it gets no verification at all. */
static gboolean
expects_something (CdImportJob *self)
{
  g_autoptr(GPtrArray) expected = NULL;

  if (self->preview == NULL)
    return FALSE;

  expected = cd_verification_expected (self->preview);
  return expected->len > 0;
}

void
_cd_import_job_verify_before (CdImportJob     *self,
                              CdImportJobThen  then)
{
  Step *step;

  if (!self->verify || !expects_something (self))
    {
      then (self);
      return;
    }

  step = step_new (self);
  step->then = then;
  cd_client_get_content_snapshot_async (self->client, self->record->offering, self->cancellable,
                                        before_cb, step);
}

static void
after_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Step) step = user_data;
  CdImportJob *self = step->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdContentSnapshot) after = NULL;

  after = cd_client_get_content_snapshot_finish (CD_CLIENT (object), result, &error);

  /* Stopped meanwhile: resuming polls and verifies again. */
  if (!self->running || step->generation != self->generation ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (after == NULL)
    {
      g_autofree char *reason = not_verified_reason (error);

      set_verification (self, cd_verification_new_not_verified (reason));
    }
  else
    set_verification (self, cd_verification_compare (self->preview, self->before, after,
                                                      self->logs));

  _cd_import_job_finish (self, g_steal_pointer (&step->outcome));
}

void
_cd_import_job_verify_then_finish (CdImportJob *self,
                                   GError      *outcome)
{
  Step *step;

  if (outcome != NULL || self->status != CD_IMPORT_STATUS_COMPLETED ||
      !self->verify || !expects_something (self) ||
      (self->verification != NULL && self->verification->not_verified != NULL))
    {
      _cd_import_job_finish (self, outcome);
      return;
    }

  if (self->before == NULL)
    {
      /* Followed again by another process: what was there before is not
       * known, so the import's additions cannot be told apart. */
      set_verification (self, cd_verification_new_not_verified (
        _("Coursedrop did not see the course before this import started.")));
      _cd_import_job_finish (self, NULL);
      return;
    }

  step = step_new (self);
  cd_client_get_content_snapshot_async (self->client, self->record->offering, self->cancellable,
                                        after_cb, step);
}

void
_cd_import_job_load_verification (CdImportJob *self)
{
  g_autoptr(JsonNode) node = cd_job_record_dup_member (self->record, RECORD_MEMBER);

  g_clear_pointer (&self->verification, cd_verification_free);
  self->verification = cd_verification_from_json (node);
}

void
cd_import_job_set_preview (CdImportJob      *self,
                           CdPackagePreview *preview)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));
  g_return_if_fail (!preview || CD_IS_PACKAGE_PREVIEW (preview));

  g_set_object (&self->preview, preview);
}

CdPackagePreview *
cd_import_job_get_preview (CdImportJob *self)
{
  g_return_val_if_fail (CD_IS_IMPORT_JOB (self), NULL);

  return self->preview;
}

void
cd_import_job_set_verify (CdImportJob *self,
                          gboolean     verify)
{
  g_return_if_fail (CD_IS_IMPORT_JOB (self));

  self->verify = !!verify;
}

const CdVerification *
cd_import_job_get_verification (CdImportJob *self)
{
  g_return_val_if_fail (CD_IS_IMPORT_JOB (self), NULL);

  return self->verification;
}
