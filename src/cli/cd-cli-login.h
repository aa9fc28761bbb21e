/* cd-cli-login.h: what the two kinds of login share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *client_id;
  const char *redirect_uri;  /* (nullable): the default */
  const char *scope;         /* (nullable): the default */
  const char *auth_url;      /* (nullable): the default */
  const char *token_url;     /* (nullable): the default */
  gboolean    no_browser;
  gboolean    paste;
  guint       timeout;
} CdCliOAuthLogin;

gboolean  cd_cli_login_interactive  (void);
/* (transfer full) (nullable): free with cd_secret_free(). */
char     *cd_cli_login_prompt       (const char *question,
                                     gboolean    secret);
void      cd_cli_login_open_browser (const char *url,
                                     gboolean    no_browser);
int       cd_cli_login_oauth        (const char            *host_option,
                                     const CdCliOAuthLogin *options);

G_END_DECLS
