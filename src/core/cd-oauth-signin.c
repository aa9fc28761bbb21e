/* cd-oauth-signin.c: the authorization-code grant with state and PKCE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "cd-oauth-private.h"

/* --- sign-in ------------------------------------------------------------------------------ */

/* @n_bytes from GnuTLS's CSPRNG, base64url without padding (RFC 7636). */
CdSecret *
cd_oauth_random_b64url (gsize n_bytes)
{
  guint8 bytes[64];
  CdSecret *text;

  g_return_val_if_fail (n_bytes > 0 && n_bytes <= sizeof bytes, NULL);
  if (gnutls_rnd (GNUTLS_RND_KEY, bytes, n_bytes) != 0)
    g_error ("GnuTLS cannot make random numbers");

  text = g_base64_encode (bytes, n_bytes);
  memset (bytes, 0, sizeof bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[strcspn (text, "=")] = '\0';
  return text;
}

static char *
pkce_challenge (const char *verifier)
{
  guint8 digest[32];
  char *text;

  gnutls_hash_fast (GNUTLS_DIG_SHA256, verifier, strlen (verifier), digest);
  text = g_base64_encode (digest, sizeof digest);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[strcspn (text, "=")] = '\0';
  return text;
}

static void
append_param (GString    *url,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (url, "&%s=%s", name, escaped);
}

char *
cd_oauth_begin_sign_in (CdOAuth  *self,
                        GError  **error)
{
  g_autofree char *challenge = NULL;
  GString *url;

  g_return_val_if_fail (CD_IS_OAUTH (self), NULL);

  if (self->client_id == NULL || self->client_secret == NULL)
    {
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                           _("Signing in needs the client ID and client secret of the app "
                             "registered in Brightspace. Ask your Brightspace administrator "
                             "for them."));
      return NULL;
    }

  cd_secret_clear (&self->state);
  cd_secret_clear (&self->verifier);
  self->state = cd_oauth_random_b64url (24);
  self->verifier = cd_oauth_random_b64url (48);
  challenge = pkce_challenge (self->verifier);

  url = g_string_new (self->auth_url);
  g_string_append_c (url, strchr (self->auth_url, '?') != NULL ? '&' : '?');
  g_string_append (url, "response_type=code");
  append_param (url, "client_id", self->client_id);
  append_param (url, "redirect_uri", self->redirect_uri);
  append_param (url, "scope", self->scope);
  append_param (url, "state", self->state);
  append_param (url, "code_challenge", challenge);
  append_param (url, "code_challenge_method", "S256");

  return g_string_free (url, FALSE);
}

/* A value from outside, safe for a message. */
static char *
shown (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0' && n < 200; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (out, g_unichar_iscntrl (c) ? 0xFFFD : c);
    }
  return g_string_free (out, FALSE);
}

/* Reads code, state and error from the address the browser ended on. */
static gboolean
parse_redirect (CdOAuth     *self,
                const char  *redirected,
                CdSecret   **code,
                GError     **error)
{
  g_autofree char *text = g_strstrip (g_strdup (redirected != NULL ? redirected : ""));
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;
  const char *state, *denied;

  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    {
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_REDIRECT,
                           _("This is not the address the browser ended on after signing "
                             "in: it has no sign-in code. Copy the whole address from the "
                             "browser’s address bar."));
      return FALSE;
    }

  /* Nothing counts that does not answer our own request. */
  state = g_hash_table_lookup (params, "state");
  if (self->state == NULL || state == NULL || strlen (state) != strlen (self->state) ||
      !cd_idkey_signature_equal (state, self->state))
    {
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_STATE_MISMATCH,
                           _("This sign-in answer does not belong to the sign-in Coursedrop "
                             "started (its state differs), so it was refused. Start the "
                             "sign-in again."));
      return FALSE;
    }

  denied = g_hash_table_lookup (params, "error");
  if (denied != NULL)
    {
      const char *description = g_hash_table_lookup (params, "error_description");
      g_autofree char *reason = shown (description != NULL ? description : denied);

      g_set_error (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_DENIED,
                   g_strcmp0 (denied, "access_denied") == 0
                     ? _("The sign-in was not allowed (%s).")
                     : _("Brightspace refused the sign-in (%s)."), reason);
      return FALSE;
    }

  *code = cd_secret_dup (g_hash_table_lookup (params, "code"));
  if (*code == NULL || **code == '\0')
    {
      cd_secret_clear (code);
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_REDIRECT,
                           _("The address has no sign-in code. Copy the whole address from "
                             "the browser’s address bar."));
      return FALSE;
    }

  return TRUE;
}

static void
code_exchanged_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CdOAuth *self = g_task_get_source_object (task);
  CdOAuthTokenJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  _cd_oauth_adopt_tokens (self, job);
  g_task_return_boolean (task, TRUE);
}

void
cd_oauth_complete_sign_in_async (CdOAuth             *self,
                                 const char          *redirected,
                                 GTlsDatabase        *tls_database,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdSecret) code = NULL;
  CdOAuthTokenJob *job;

  g_return_if_fail (CD_IS_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_oauth_complete_sign_in_async);

  if (self->verifier == NULL)
    {
      g_task_return_new_error (task, CD_OAUTH_ERROR, CD_OAUTH_ERROR_NOT_STARTED,
                               _("No sign-in is under way. Start it again."));
      return;
    }

  if (!parse_redirect (self, redirected, &code, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job = _cd_oauth_token_job_new (self, CD_OAUTH_GRANT_CODE, tls_database);
  job->code = g_steal_pointer (&code);
  job->verifier = g_strdup (self->verifier);
  /* One answer per sign-in: a second one is refused by its state. */
  cd_secret_clear (&self->state);
  cd_secret_clear (&self->verifier);

  worker = g_task_new (self, cancellable, code_exchanged_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, code_exchanged_cb);
  g_task_set_task_data (worker, job, (GDestroyNotify) _cd_oauth_token_job_free);
  g_task_run_in_thread (worker, _cd_oauth_token_job_run);
}

gboolean
cd_oauth_complete_sign_in_finish (CdOAuth       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
