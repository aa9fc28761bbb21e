/* cd-import-job-verify.c: checking what a COMPLETED import added
 *
 * A snapshot of the offering before the upload, another after COMPLETED;
 * what was added is compared with the package's preview (cd-verification.h).
 * Verification never fails a job: without permission to read the course,
 * or on any other trouble, the result says "not verified" and why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-client-content.h"
#include "cd-import-job-private.h"
#include "cd-json.h"

#define properties _cd_import_job_properties

#define RECORD_MEMBER "verification"
/* What a verification needs that lives only in the process that started
 * the upload: the expected items and the offering before the upload.  It
 * goes to the journal with the job, so that another process following the
 * job (the window after `coursedrop-cli import --no-wait`, or after a
 * restart) still verifies it; it is dropped once the job has finished. */
#define BASIS_MEMBER "verification_basis"
/* A course so large that its snapshot would swell the journal (rewritten on
 * every status change) is verified only by the process that saw it. */
#define BASIS_MAX_BYTES (4 * 1024 * 1024)

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

/* The basis in the journal */

/* Titles, not normalised keys, so that a newer Coursedrop that normalises
 * differently still compares like with like. */
static void
add_titles_by_type (JsonBuilder *builder,
                    GPtrArray   *items)
{
  json_builder_begin_object (builder);
  for (int type = 0; type < CD_PACKAGE_N_ITEM_TYPES; type++)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < items->len; i++)
        {
          CdContentItem *item = g_ptr_array_index (items, i);

          if ((int)item->type != type)
            continue;
          if (!any)
            {
              json_builder_set_member_name (builder, cd_package_item_type_to_string (type));
              json_builder_begin_array (builder);
              any = TRUE;
            }
          json_builder_add_string_value (builder, item->title);
        }
      if (any)
        json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

static gsize
titles_size (GPtrArray *items)
{
  gsize size = 0;

  for (guint i = 0; i < items->len; i++)
    size += strlen (((CdContentItem *)g_ptr_array_index (items, i))->title) + 4;

  return size;
}

/* { expected: [[type, title]…], before: {type: [title…]}, broken: {…} } */
static void
store_basis (CdImportJob *self)
{
  g_autoptr(GPtrArray) expected = cd_verification_expected (self->preview);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (titles_size (expected) + titles_size (self->before->items) +
      titles_size (self->before->broken) > BASIS_MAX_BYTES)
    {
      g_debug ("The course is too large to keep its snapshot in the journal");
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "expected");
  json_builder_begin_array (builder);
  for (guint i = 0; i < expected->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (expected, i);

      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, cd_package_item_type_to_string (item->type));
      json_builder_add_string_value (builder, item->title);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "before");
  add_titles_by_type (builder, self->before->items);
  json_builder_set_member_name (builder, "broken");
  add_titles_by_type (builder, self->before->broken);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  cd_job_record_set_member (self->record, BASIS_MEMBER, node);
}

static CdPackageItemType
item_type_from_string (const char *name)
{
  for (int type = 0; type < CD_PACKAGE_N_ITEM_TYPES; type++)
    if (g_strcmp0 (name, cd_package_item_type_to_string (type)) == 0)
      return type;

  return CD_PACKAGE_ITEM_OTHER;
}

typedef void (*AddFunc) (CdContentSnapshot *snapshot,
                         CdPackageItemType  type,
                         const char        *title);

/* Whatever the file holds: members of the wrong shape are skipped. */
static void
read_titles_by_type (JsonObject        *object,
                     CdContentSnapshot *snapshot,
                     AddFunc            add)
{
  g_autoptr(GList) members = object != NULL ? json_object_get_members (object) : NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonArray *titles = cd_json_get_array (object, l->data);
      CdPackageItemType type = item_type_from_string (l->data);

      for (guint i = 0; titles != NULL && i < json_array_get_length (titles); i++)
        if (cd_json_array_get_string (titles, i) != NULL)
          add (snapshot, type, cd_json_array_get_string (titles, i));
    }
}

/* A preview whose outline is the expected items, flat: all that
 * cd_verification_compare() reads of it. */
static CdPackagePreview *
read_expected (JsonArray *array)
{
  CdPackagePreview *preview = cd_package_preview_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonArray *pair = JSON_NODE_HOLDS_ARRAY (element) ? json_node_get_array (element) : NULL;
      const char *title;

      if (pair == NULL || json_array_get_length (pair) != 2 ||
          (title = cd_json_array_get_string (pair, 1)) == NULL)
        continue;
      cd_package_preview_add_outline (preview, cd_package_outline_item_new (
        title, item_type_from_string (cd_json_array_get_string (pair, 0))));
    }

  return preview;
}

/* What another process stored before its upload, unless this one knows
 * better (it set a preview, or took the snapshot itself).  The expectation
 * alone still gives "not verified" with its reason. */
static void
load_basis (CdImportJob *self)
{
  g_autoptr(JsonNode) node = cd_job_record_dup_member (self->record, BASIS_MEMBER);
  JsonObject *object, *before;
  JsonArray *expected;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  object = json_node_get_object (node);
  expected = cd_json_get_array (object, "expected");
  before = cd_json_get_object (object, "before");

  if (self->preview == NULL && expected != NULL)
    self->preview = read_expected (expected);

  if (self->before == NULL && before != NULL)
    {
      self->before = cd_content_snapshot_new ();
      read_titles_by_type (before, self->before, cd_content_snapshot_add);
      read_titles_by_type (cd_json_get_object (object, "broken"), self->before,
                           cd_content_snapshot_add_broken);
    }
}

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
  /* Done with: the result is what counts now. */
  if (verification != NULL)
    cd_job_record_set_member (self->record, BASIS_MEMBER, NULL);
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
      /* Saved with the token, before anyone could follow the job. */
      store_basis (self);
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
      cd_job_record_set_member (self->record, BASIS_MEMBER, NULL);
      _cd_import_job_finish (self, outcome);
      return;
    }

  if (self->before == NULL)
    {
      /* Followed again by a process that has no basis (the course was too
       * large to keep it, or an older Coursedrop started the job): what was
       * there before is not known, so the import's additions cannot be
       * told apart. */
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
  load_basis (self);
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
