/* cd-package-open.c: the checks and hashes of a package file
 *
 * What cd_package_check() and its asynchronous twins run: opening the
 * file with every check (cd-package-zip.c for the zip structure), the
 * quick key and the SHA-256, and the worker thread that computes them.
 * None of it touches the CdPackage, so it is safe in any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n-lib.h>

#include "cd-digest.h"
#include "cd-package.h"
#include "cd-package-private.h"

void
_cd_package_check_data_free (CheckData *data)
{
  g_clear_object (&data->file);
  g_clear_pointer (&data->display_name, g_free);
  g_clear_pointer (&data->sha256, g_free);
  g_clear_pointer (&data->quick_key, g_free);
  g_free (data);
}

/* Maps a GIO failure on @file to our domain; cancellation passes through
 * unchanged so callers can tell it apart. */
static void
propagate_io_error (GError     **error,
                    GError      *io_error,
                    GFile       *file,
                    const char  *display_name)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, io_error);
      return;
    }

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
    {
      g_autofree char *parse_name = g_file_get_parse_name (file);

      /* The full path: the user may have mistyped a folder, not the name. */
      g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_NOT_FOUND,
                   /* Translators: %s is a file path. */
                   _("“%s” does not exist. Check the path, or choose the package again."),
                   parse_name);
    }
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_UNREADABLE,
                 /* Translators: %s is a file name. */
                 _("You do not have permission to read “%s”. Change its permissions, or copy it "
                   "to a folder you can read."),
                 display_name);
  else
    g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_UNREADABLE,
                 /* Translators: the first %s is a file name, the second a system error. */
                 _("“%s” could not be read (%s). Copy it to a local folder and try again."),
                 display_name, io_error->message);

  g_error_free (io_error);
}

/* The zip structure (cd-package-zip.c), as a sentence naming the file. */
static gboolean
check_zip (GInputStream  *stream,
           gint64         size,
           GFile         *file,
           const char    *display_name,
           GCancellable  *cancellable,
           GError       **error)
{
  GError *local_error = NULL;
  CdZipVerdict verdict;

  if (!_cd_package_inspect_zip (stream, size, &verdict, cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        {
          g_clear_error (&local_error);
          g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_UNREADABLE,
                       /* Translators: %s is a file name. */
                       _("“%s” changed while it was being read. Wait until it is fully saved, "
                         "then try again."),
                       display_name);
        }
      else
        propagate_io_error (error, local_error, file, display_name);
      return FALSE;
    }

  switch (verdict)
    {
    case CD_ZIP_VALID:
      return TRUE;

    case CD_ZIP_DAMAGED:
      g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_DAMAGED,
                   /* Translators: %s is a file name. */
                   _("“%s” is a damaged or incomplete zip archive: its table of contents is "
                     "missing or does not match the file. If it is still being downloaded or "
                     "copied, wait until that has finished; otherwise export the course "
                     "package again."),
                   display_name);
      return FALSE;

    case CD_ZIP_NOT_ZIP:
    default:
      g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_NOT_ZIP,
                   /* Translators: %s is a file name. */
                   _("“%s” is not a zip archive. Brightspace imports course packages: .zip or "
                     ".imscc files exported from an LMS."),
                   display_name);
      return FALSE;
    }
}

/* Runs every check and returns the open stream, so that hashing reads the
 * very file that was checked.  Safe to call from any thread. */
GInputStream *
_cd_package_open (GFile         *file,
                  const char    *display_name,
                  gint64        *size_out,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  GError *local_error = NULL;
  GFileType type;
  gint64 size;

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL)
    {
      propagate_io_error (error, local_error, file, display_name);
      return NULL;
    }

  /* Symlinks are followed; one still reported as a link points nowhere. */
  type = g_file_info_get_file_type (info);
  if (type == G_FILE_TYPE_SYMBOLIC_LINK)
    {
      propagate_io_error (error,
                          g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, ""),
                          file, display_name);
      return NULL;
    }

  /* Checked before opening: opening a FIFO would block. */
  if (type == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_NOT_REGULAR,
                   /* Translators: %s is a folder name. */
                   _("“%s” is a folder. Choose the .zip or .imscc file exported from your LMS, "
                     "not the folder."),
                   display_name);
      return NULL;
    }
  if (type != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_NOT_REGULAR,
                   /* Translators: %s is a file name. */
                   _("“%s” is not a regular file. Choose a .zip or .imscc course package."),
                   display_name);
      return NULL;
    }

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      propagate_io_error (error, local_error, file, display_name);
      return NULL;
    }

  size = g_file_info_get_size (info);
  if (size == 0)
    {
      g_set_error (error, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_EMPTY,
                   /* Translators: %s is a file name. */
                   _("“%s” is empty. Export the course package from your LMS again."),
                   display_name);
      return NULL;
    }

  if (!check_zip (G_INPUT_STREAM (stream), size, file, display_name, cancellable, error))
    return NULL;

  *size_out = size;
  return G_INPUT_STREAM (g_steal_pointer (&stream));
}

/* Reads the stream from the start in large blocks, so memory stays flat
 * however large the package is.  Sets @size_out to the bytes hashed. */
static char *
compute_sha256 (GInputStream  *stream,
                GFile         *file,
                const char    *display_name,
                gint64        *size_out,
                gint          *done_kib,
                GCancellable  *cancellable,
                GError       **error)
{
  GError *local_error = NULL;
  char *sha256;

  if (!g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, cancellable, &local_error) ||
      !(sha256 = cd_digest_stream_counting (stream, size_out, done_kib, cancellable,
                                                  &local_error)))
    {
      propagate_io_error (error, local_error, file, display_name);
      return NULL;
    }

  return sha256;
}

static char *
compute_quick_key (GInputStream  *stream,
                   gint64         size,
                   GFile         *file,
                   const char    *display_name,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GError *local_error = NULL;
  char *quick_key;

  if (!(quick_key = cd_digest_quick_key (stream, size, cancellable, &local_error)))
    propagate_io_error (error, local_error, file, display_name);

  return quick_key;
}

void
_cd_package_check_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  CheckData *data = task_data;
  g_autoptr(GInputStream) stream = NULL;
  GError *error = NULL;
  gint64 size = -1;

  stream = _cd_package_open (data->file, data->display_name, &size, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data->size = size;
  if (!(data->quick_key = compute_quick_key (stream, size, data->file, data->display_name,
                                             cancellable, &error)) ||
      (data->full && !(data->sha256 = compute_sha256 (stream, data->file, data->display_name,
                                                      &data->size, data->hashed_kib,
                                                      cancellable, &error))))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The digest must describe the file the quick key and size describe. */
  if (data->size != size)
    {
      g_task_return_new_error (task, CD_PACKAGE_ERROR, CD_PACKAGE_ERROR_UNREADABLE,
                               /* Translators: %s is a file name. */
                               _("“%s” changed while it was being read. Wait until it is fully "
                                 "saved, then try again."),
                               data->display_name);
      return;
    }

  g_task_return_boolean (task, TRUE);
}
