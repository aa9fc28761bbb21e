/* cd-package.c: a course package file, checked before any network call
 *
 * The checks only stat the file and read its first 4 bytes, the last
 * 64 KiB or so and a record or two of the zip structure, so they are cheap
 * enough to run synchronously when a file is dropped.  The duplicate guard
 * first needs only the quick key (the first and last MiB, see
 * cd-digest.h), computed with the asynchronous check; the full SHA-256
 * reads the whole file, so it runs in a worker thread and only when the
 * quick key says it must (cd_import_job_find_previous_async()); otherwise
 * the upload computes it as it reads the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cd-digest.h"
#include "cd-package.h"
#include "cd-package-private.h"

struct _CdPackage
{
  GObject  parent_instance;

  GFile   *file;          /* (owned) */
  char    *display_name;  /* (owned) */
  char    *sha256;        /* (owned) (nullable): NULL until computed */
  char    *quick_key;     /* (owned) (nullable): NULL until computed */
  gint64   size;          /* -1 until checked */
  gint64   size_limit;
  gint     hashed_kib;    /* atomic: what cd_package_hash_async() has read */
};

G_DEFINE_FINAL_TYPE (CdPackage, cd_package, G_TYPE_OBJECT)

G_DEFINE_QUARK (cd-package-error-quark, cd_package_error)

enum {
  PROP_0,
  PROP_FILE,
  PROP_DISPLAY_NAME,
  PROP_SIZE,
  PROP_SHA256,
  PROP_QUICK_KEY,
  PROP_TOO_LARGE,
  PROP_SIZE_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


static void
set_size (CdPackage *self,
          gint64     size)
{
  gboolean was_too_large;

  if (self->size == size)
    return;

  was_too_large = cd_package_get_too_large (self);
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);

  if (was_too_large != cd_package_get_too_large (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOO_LARGE]);
}

static void
set_sha256 (CdPackage  *self,
            const char *sha256)
{
  if (g_strcmp0 (self->sha256, sha256) == 0)
    return;

  g_free (self->sha256);
  self->sha256 = g_strdup (sha256);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHA256]);
}

static void
set_quick_key (CdPackage  *self,
               const char *quick_key)
{
  if (g_strcmp0 (self->quick_key, quick_key) == 0)
    return;

  g_free (self->quick_key);
  self->quick_key = g_strdup (quick_key);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUICK_KEY]);
}

static void
cd_package_constructed (GObject *object)
{
  CdPackage *self = CD_PACKAGE (object);
  g_autofree char *basename = NULL;

  G_OBJECT_CLASS (cd_package_parent_class)->constructed (object);

  g_assert (G_IS_FILE (self->file));

  /* Basenames may not be UTF-8; this is the one safe to show. */
  basename = g_file_get_basename (self->file);
  self->display_name = g_filename_display_name (basename);
}

static void
cd_package_finalize (GObject *object)
{
  CdPackage *self = CD_PACKAGE (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->sha256, g_free);
  g_clear_pointer (&self->quick_key, g_free);

  G_OBJECT_CLASS (cd_package_parent_class)->finalize (object);
}

static void
cd_package_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CdPackage *self = CD_PACKAGE (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;

    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;

    case PROP_SHA256:
      g_value_set_string (value, self->sha256);
      break;

    case PROP_QUICK_KEY:
      g_value_set_string (value, self->quick_key);
      break;

    case PROP_TOO_LARGE:
      g_value_set_boolean (value, cd_package_get_too_large (self));
      break;

    case PROP_SIZE_LIMIT:
      g_value_set_int64 (value, self->size_limit);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_package_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CdPackage *self = CD_PACKAGE (object);

  switch (prop_id)
    {
    case PROP_FILE:
      self->file = g_value_dup_object (value);
      break;

    case PROP_SIZE_LIMIT:
      cd_package_set_size_limit (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_package_class_init (CdPackageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cd_package_constructed;
  object_class->finalize = cd_package_finalize;
  object_class->get_property = cd_package_get_property;
  object_class->set_property = cd_package_set_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL,
                         G_TYPE_FILE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL,
                        -1, G_MAXINT64, -1,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SHA256] =
    g_param_spec_string ("sha256", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_QUICK_KEY] =
    g_param_spec_string ("quick-key", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TOO_LARGE] =
    g_param_spec_boolean ("too-large", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Set it to G_MAXINT64 to never warn. */
  properties[PROP_SIZE_LIMIT] =
    g_param_spec_int64 ("size-limit", NULL, NULL,
                        1, G_MAXINT64, CD_PACKAGE_DEFAULT_SIZE_LIMIT,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_package_init (CdPackage *self)
{
  self->size = -1;
  self->size_limit = CD_PACKAGE_DEFAULT_SIZE_LIMIT;
}

/**
 * cd_package_new:
 * @file: the package file; symlinks are followed when checking it
 *
 * Returns: (transfer full): a package that has not been checked yet.
 */
CdPackage *
cd_package_new (GFile *file)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return g_object_new (CD_TYPE_PACKAGE, "file", file, NULL);
}

GFile *
cd_package_get_file (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), NULL);

  return self->file;
}

/**
 * cd_package_get_path:
 *
 * Returns: (nullable) (type filename): the local path, or %NULL for a file
 *   with no local path.
 */
const char *
cd_package_get_path (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), NULL);

  return g_file_peek_path (self->file);
}

const char *
cd_package_get_display_name (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), NULL);

  return self->display_name;
}

/* Returns: the size in bytes, or -1 until a check succeeded. */
gint64
cd_package_get_size (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), -1);

  return self->size;
}

/* Returns: (nullable): lower-case hex, or %NULL until cd_package_hash_async()
 *   succeeded. */
const char *
cd_package_get_sha256 (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), NULL);

  return self->sha256;
}

/* Returns: (nullable): the quick key (see cd_digest_quick_key()), or %NULL
 *   until cd_package_check_async() succeeded. */
const char *
cd_package_get_quick_key (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), NULL);

  return self->quick_key;
}

gboolean
cd_package_get_too_large (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), FALSE);

  return self->size > self->size_limit;
}

gint64
cd_package_get_size_limit (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), -1);

  return self->size_limit;
}

void
cd_package_set_size_limit (CdPackage *self,
                           gint64     size_limit)
{
  gboolean was_too_large;

  g_return_if_fail (CD_IS_PACKAGE (self));
  g_return_if_fail (size_limit > 0);

  if (self->size_limit == size_limit)
    return;

  was_too_large = cd_package_get_too_large (self);
  self->size_limit = size_limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE_LIMIT]);

  if (was_too_large != cd_package_get_too_large (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOO_LARGE]);
}

/**
 * cd_package_check:
 *
 * Checks that the file exists, is a regular readable non-empty zip archive
 * whose central directory is whole (else %CD_PACKAGE_ERROR_DAMAGED), and
 * sets #CdPackage:size.  Cheap: it reads about 64 KiB at most.  Being
 * over #CdPackage:size-limit is not an error; see
 * cd_package_get_size_warning().  A changed size clears #CdPackage:sha256,
 * which would describe another file.
 *
 * Returns: %TRUE if the file can be uploaded
 */
gboolean
cd_package_check (CdPackage  *self,
                  GError    **error)
{
  g_autoptr(GInputStream) stream = NULL;
  gint64 size = -1;

  g_return_val_if_fail (CD_IS_PACKAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stream = _cd_package_open (self->file, self->display_name, &size, NULL, error);
  if (stream == NULL)
    return FALSE;

  /* A different size means a different file: the old hashes are stale. */
  if (self->size != size)
    {
      set_sha256 (self, NULL);
      set_quick_key (self, NULL);
    }
  set_size (self, size);

  return TRUE;
}


/* Runs in the caller's main context, so notifications are emitted there and
 * the properties are set before the caller's callback runs. */
static void
check_thread_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CdPackage *self = CD_PACKAGE (object);
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  g_assert (CD_IS_PACKAGE (self));
  g_assert (G_IS_TASK (task));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* A quick check clears the digest: an equal quick key does not prove
   * the file is unchanged in the middle. */
  g_object_freeze_notify (G_OBJECT (self));
  set_size (self, data->size);
  set_quick_key (self, data->quick_key);
  set_sha256 (self, data->sha256);
  g_object_thaw_notify (G_OBJECT (self));

  g_task_return_boolean (task, TRUE);
}

static void
start_check (CdPackage           *self,
             gboolean             full,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(CheckData) data = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  data = g_new0 (CheckData, 1);
  data->file = g_object_ref (self->file);
  data->display_name = g_strdup (self->display_name);
  data->size = -1;
  data->full = full;
  data->hashed_kib = &self->hashed_kib;
  if (full)
    g_atomic_int_set (&self->hashed_kib, 0);

  worker = g_task_new (self, cancellable, check_thread_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, _cd_package_check_thread);
  g_task_set_task_data (worker, g_steal_pointer (&data),
                        (GDestroyNotify) _cd_package_check_data_free);
  g_task_run_in_thread (worker, _cd_package_check_thread);
}

/**
 * cd_package_check_async:
 *
 * Runs cd_package_check() and computes the quick key (it reads 2 MiB at
 * most) in a worker thread, then sets #CdPackage:size and
 * #CdPackage:quick-key from the thread-default main context of the caller,
 * and clears #CdPackage:sha256, which the file may no longer match.
 */
void
cd_package_check_async (CdPackage           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (CD_IS_PACKAGE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_check (self, FALSE, cd_package_check_async, cancellable, callback, user_data);
}

/**
 * cd_package_hash_async:
 *
 * The same as cd_package_check_async(), and also computes the SHA-256 of
 * the whole file and sets #CdPackage:sha256.  Finish it with
 * cd_package_check_finish().
 */
void
cd_package_hash_async (CdPackage           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (CD_IS_PACKAGE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_check (self, TRUE, cd_package_hash_async, cancellable, callback, user_data);
}

/**
 * cd_package_get_hashed_bytes:
 *
 * Returns: how much of the file cd_package_hash_async() has read so far
 *   (in whole KiB), for showing its progress.  Safe to call from any
 *   thread.
 */
gint64
cd_package_get_hashed_bytes (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), 0);

  return (gint64) g_atomic_int_get (&self->hashed_kib) * 1024;
}

gboolean
cd_package_check_finish (CdPackage     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cd_package_check_async ||
                        g_task_get_source_tag (G_TASK (result)) == cd_package_hash_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Returns: (transfer full) (nullable): the size for display, "3.1 GB", or
 *   %NULL before a successful check. */
char *
cd_package_format_size (CdPackage *self)
{
  g_return_val_if_fail (CD_IS_PACKAGE (self), NULL);

  if (self->size < 0)
    return NULL;

  return g_format_size ((guint64)self->size);
}

/**
 * cd_package_get_size_warning:
 *
 * Returns: (transfer full) (nullable): a translated sentence when the
 *   package is larger than #CdPackage:size-limit, else %NULL.
 */
char *
cd_package_get_size_warning (CdPackage *self)
{
  g_autofree char *size = NULL;
  g_autofree char *limit = NULL;

  g_return_val_if_fail (CD_IS_PACKAGE (self), NULL);

  if (!cd_package_get_too_large (self))
    return NULL;

  size = g_format_size ((guint64)self->size);
  limit = g_format_size ((guint64)self->size_limit);

  /* Translators: the first %s is a file name, the others sizes such as “3.1 GB”. */
  return g_strdup_printf (_("“%s” is %s, larger than the %s that Brightspace imports are known "
                            "to accept. The import may fail."),
                          self->display_name, size, limit);
}
