/* cd-package.h: a course package file, checked before any network call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CD_PACKAGE_ERROR (cd_package_error_quark ())

/* Messages are translated sentences that name the file. */
typedef enum {
  CD_PACKAGE_ERROR_NOT_FOUND,    /* no such file, or a dangling symlink */
  CD_PACKAGE_ERROR_NOT_REGULAR,  /* a folder, device, FIFO or socket */
  CD_PACKAGE_ERROR_UNREADABLE,   /* permission denied or an I/O error */
  CD_PACKAGE_ERROR_EMPTY,
  CD_PACKAGE_ERROR_NOT_ZIP,
  CD_PACKAGE_ERROR_DAMAGED,      /* looks like a zip, but truncated or corrupt */
} CdPackageError;

GQuark cd_package_error_quark (void);

/* 2 GiB: above this, Brightspace imports are known to fail. */
#define CD_PACKAGE_DEFAULT_SIZE_LIMIT G_GINT64_CONSTANT (2147483648)

#define CD_TYPE_PACKAGE (cd_package_get_type ())

G_DECLARE_FINAL_TYPE (CdPackage, cd_package, CD, PACKAGE, GObject)

CdPackage  *cd_package_new              (GFile                *file) G_GNUC_WARN_UNUSED_RESULT;

GFile      *cd_package_get_file         (CdPackage            *self);
const char *cd_package_get_path         (CdPackage            *self);
const char *cd_package_get_display_name (CdPackage            *self);
gint64      cd_package_get_size         (CdPackage            *self);
const char *cd_package_get_sha256       (CdPackage            *self);
const char *cd_package_get_quick_key    (CdPackage            *self);
gboolean    cd_package_get_too_large    (CdPackage            *self);
gint64      cd_package_get_size_limit   (CdPackage            *self);
void        cd_package_set_size_limit   (CdPackage            *self,
                                         gint64                size_limit);

gboolean    cd_package_check            (CdPackage            *self,
                                         GError              **error);
void        cd_package_check_async      (CdPackage            *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
void        cd_package_hash_async       (CdPackage            *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* While cd_package_hash_async() runs: the bytes it has read so far. */
gint64      cd_package_get_hashed_bytes (CdPackage            *self);
gboolean    cd_package_check_finish     (CdPackage            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

char       *cd_package_format_size      (CdPackage            *self);
char       *cd_package_get_size_warning (CdPackage            *self);

G_END_DECLS
