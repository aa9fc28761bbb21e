/* cd-secret.h: a key in ordinary memory, wiped when freed
 *
 * One type for every copy of an app or user key outside the keyring: the
 * account, the signer, sign-in and the CLI.  Only <glib.h>, so any file
 * may use it without pulling in libsecret or GIO.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A NUL-terminated key from g_malloc (g_strdup):
 * g_autoptr(CdSecret) key = cd_secret_dup (…); */
typedef char CdSecret;

/* Overwrites the bytes before the allocator gets them back: a freed key
 * must not linger in the heap (or a core dump).  The volatile pointer keeps
 * the compiler from dropping the stores as dead. */
static inline void
cd_secret_free (CdSecret *secret)
{
  if (secret != NULL)
    {
      volatile char *p = secret;

      while (*p != '\0')
        *p++ = '\0';
    }
  g_free (secret);
}

/* (transfer full) (nullable): a copy to free with cd_secret_free(). */
static inline CdSecret *
cd_secret_dup (const char *secret)
{
  return g_strdup (secret);
}

/* Wipes *@secret and sets it to NULL. */
static inline void
cd_secret_clear (CdSecret **secret)
{
  g_clear_pointer (secret, cd_secret_free);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdSecret, cd_secret_free)

G_END_DECLS
