/* oauth-test-util.h: the sandbox with its OAuth client, a browser and
 * sign-in helpers shared by the OAuth tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cd-client.h"
#include "cd-oauth.h"
#include "cd-sandbox.h"
#include "cd-sandbox-oauth.h"


#define CLIENT_ID     "coursedrop-test-client"
#define CLIENT_SECRET "test-client-secret-not-real"

typedef struct
{
  CdSandbox   *sandbox;
  SoupSession *browser;
  char        *redirect_uri;
  char        *auth_url;
  char        *token_url;
} Fixture;

void
fixture_setup (Fixture       *f,
               gconstpointer  data);

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data);

void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data);

void
wait_for (GAsyncResult **result);

CdOAuth *
make_oauth (Fixture *f);

char *
browse (Fixture    *f,
        const char *url);

gboolean
complete (CdOAuth     *oauth,
          const char  *redirected,
          GError     **error);

void
sign_in (Fixture *f,
         CdOAuth *oauth);

char *
stored_refresh_token (Fixture *f);

JsonObject *
whoami (CdClient  *client,
        GError   **error);

CdClient *
make_client (Fixture *f,
             CdOAuth *oauth);
