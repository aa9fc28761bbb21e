/* cd-account-private.h: what cd-account.c and cd-account-saved.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-account.h"
#include "cd-credentials.h"
#include "cd-secret.h"

G_BEGIN_DECLS

struct _CdAccount
{
  GObject   parent_instance;

  char     *host;          /* (owned) */
  char     *app_id;        /* (owned) (nullable) */
  CdSecret *app_key;       /* (owned) (nullable) */
  char     *user_id;       /* (owned) (nullable) */
  CdSecret *user_key;      /* (owned) (nullable) */
  char     *display_name;  /* (owned) (nullable) */
  char     *le_version;    /* (owned) (nullable) */
  char     *ca_file;       /* (owned) (nullable) */
  char     *pin;           /* (owned) (nullable): canonical fingerprint */
};

char *_cd_account_non_empty (const char  *value);

G_END_DECLS
