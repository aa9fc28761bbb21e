/* cd-account-private.h: what cd-account.c and cd-account-saved.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-account.h"

G_BEGIN_DECLS

struct _CdAccount
{
  GObject  parent_instance;

  char    *host;          /* (owned) */
  char    *app_id;        /* (owned) (nullable) */
  char    *app_key;       /* (owned) (nullable) */
  char    *user_id;       /* (owned) (nullable) */
  char    *user_key;      /* (owned) (nullable) */
  char    *display_name;  /* (owned) (nullable) */
  char    *le_version;    /* (owned) (nullable) */
  char    *ca_file;       /* (owned) (nullable) */
  char    *pin;           /* (owned) (nullable): canonical fingerprint */
};

char *_cd_account_non_empty (const char  *value);
void  _cd_account_wipe      (char       **secret);

/* Keys on their way between the environment, the keyring and an account. */
typedef char CdWipedString;

static inline void
_cd_wiped_string_free (CdWipedString *secret)
{
  _cd_account_wipe (&secret);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdWipedString, _cd_wiped_string_free)

G_END_DECLS
