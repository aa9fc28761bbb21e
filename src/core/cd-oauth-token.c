/* cd-oauth-token.c: the token endpoint, on a worker thread
 *
 * Refresh tokens are single use, and several Coursedrop processes (the
 * window, a command in a terminal, a script) may hold the same one.  So a
 * renewal takes a lock file first, then reads the refresh token the
 * keyring holds *now* (another process may have rotated it: then that new
 * one is used, never ours a second time), trades it, and stores the new
 * one in the keyring before anyone uses the new access token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cd-client.h"
#include "cd-credentials.h"
#include "cd-json.h"
#include "cd-oauth-private.h"

#define MAX_TOKEN_ANSWER (64 * 1024)
#define TOKEN_TIMEOUT_SECONDS 30

void
_cd_oauth_token_job_free (CdOAuthTokenJob *job)
{
  if (job == NULL)
    return;

  g_free (job->host);
  g_free (job->client_id);
  cd_secret_free (job->client_secret);
  g_free (job->token_url);
  g_free (job->redirect_uri);
  g_free (job->scope);
  g_free (job->lock_path);
  cd_secret_free (job->code);
  g_free (job->verifier);
  cd_secret_free (job->had_refresh);
  g_clear_object (&job->tls_database);
  cd_secret_free (job->access_token);
  cd_secret_free (job->refresh_token);
  g_free (job->granted_scope);
  g_free (job);
}

/* --- the lock ------------------------------------------------------------------- */

static int
take_lock (const char  *path,
           GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  g_mkdir_with_parents (dir, 0700);
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Coursedrop cannot renew the sign-in: the lock file %s cannot be "
                     "opened (%s)."), path, g_strerror (saved));
      return -1;
    }

  /* Blocks this worker thread only, for as long as another process renews. */
  while (flock (fd, LOCK_EX) != 0)
    if (errno != EINTR)
      {
        int saved = errno;

        close (fd);
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Coursedrop cannot renew the sign-in: the lock file %s cannot be "
                       "locked (%s)."), path, g_strerror (saved));
        return -1;
      }

  return fd;
}

static void
release_lock (int fd)
{
  if (fd >= 0)
    {
      flock (fd, LOCK_UN);
      close (fd);
    }
}

/* --- the request ------------------------------------------------------------------ */

static GError *
expired_error (void)
{
  return g_error_new_literal (CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED,
                              _("Your Brightspace sign-in has expired. Sign in again."));
}

/* A refusal (JSON with "error") in words; the code grant's and the
 * refresh's differ: an expired refresh token means signing in again. */
static GError *
refusal_error (CdOAuthTokenJob *job,
               guint            status,
               JsonObject      *answer)
{
  const char *code = answer != NULL ? cd_json_get_string (answer, "error") : NULL;

  g_debug ("OAuth: the token endpoint answered %u (%s)", status, code != NULL ? code : "?");

  if (job->grant == CD_OAUTH_GRANT_REFRESH &&
      (g_strcmp0 (code, "invalid_grant") == 0 || status == SOUP_STATUS_BAD_REQUEST ||
       status == SOUP_STATUS_UNAUTHORIZED))
    return expired_error ();

  if (g_strcmp0 (code, "invalid_client") == 0 || status == SOUP_STATUS_UNAUTHORIZED)
    return g_error_new_literal (CD_OAUTH_ERROR, CD_OAUTH_ERROR_TOKEN_REFUSED,
                                _("Brightspace does not accept the client ID and secret. "
                                  "Check them with your Brightspace administrator."));

  if (g_strcmp0 (code, "invalid_grant") == 0)
    return g_error_new_literal (CD_OAUTH_ERROR, CD_OAUTH_ERROR_TOKEN_REFUSED,
                                _("Brightspace refused the sign-in code (it may have been "
                                  "used already, or expired, or the redirect URI differs "
                                  "from the registered one). Sign in again."));

  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_SERVER,
                        _("Brightspace’s sign-in service had a problem answering (HTTP "
                          "error %u). Try again later."), status);

  return g_error_new (CD_OAUTH_ERROR, CD_OAUTH_ERROR_TOKEN_REFUSED,
                      _("Brightspace’s sign-in service refused the request (HTTP error %u)."),
                      status);
}

static GBytes *
read_capped (GInputStream  *stream,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *buffer = g_malloc (MAX_TOKEN_ANSWER + 1);
  gsize length = 0;

  if (!g_input_stream_read_all (stream, buffer, MAX_TOKEN_ANSWER + 1, &length, cancellable,
                                error))
    return NULL;
  if (length > MAX_TOKEN_ANSWER)
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("Brightspace’s sign-in service sent too long an answer."));
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&buffer), length);
}

static char *
form_body (CdOAuthTokenJob *job,
           const char      *refresh_token)
{
  GString *body = g_string_new (NULL);
  g_autofree char *scope = g_uri_escape_string (job->scope, NULL, FALSE);

  if (job->grant == CD_OAUTH_GRANT_CODE)
    {
      g_autofree char *code = g_uri_escape_string (job->code, NULL, FALSE);
      g_autofree char *redirect = g_uri_escape_string (job->redirect_uri, NULL, FALSE);
      g_autofree char *verifier = g_uri_escape_string (job->verifier, NULL, FALSE);

      g_string_append_printf (body, "grant_type=authorization_code&code=%s&redirect_uri=%s"
                              "&code_verifier=%s", code, redirect, verifier);
    }
  else
    {
      g_autofree char *token = g_uri_escape_string (refresh_token, NULL, FALSE);

      /* D2L's samples always send the scope with a refresh. */
      g_string_append_printf (body, "grant_type=refresh_token&refresh_token=%s&scope=%s",
                              token, scope);
    }

  return g_string_free (body, FALSE);
}

static char *
basic_authorization (CdOAuthTokenJob *job)
{
  /* RFC 6749 §2.3.1: each part form-encoded before joining. */
  g_autofree char *id = g_uri_escape_string (job->client_id, NULL, FALSE);
  g_autoptr(CdSecret) secret = g_uri_escape_string (job->client_secret, NULL, FALSE);
  g_autoptr(CdSecret) pair = g_strconcat (id, ":", secret, NULL);
  g_autoptr(CdSecret) encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

static gboolean
parse_answer (CdOAuthTokenJob  *job,
              JsonObject       *answer,
              GError          **error)
{
  const char *access = cd_json_get_string (answer, "access_token");
  const char *type = cd_json_get_string (answer, "token_type");
  const char *refresh = cd_json_get_string (answer, "refresh_token");
  const char *scope = cd_json_get_string (answer, "scope");
  JsonNode *expires = json_object_get_member (answer, "expires_in");

  if (access == NULL || *access == '\0' || strpbrk (access, "\r\n") != NULL ||
      (type != NULL && g_ascii_strcasecmp (type, "Bearer") != 0))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("Brightspace’s sign-in service answered without a usable "
                             "access token."));
      return FALSE;
    }

  job->access_token = cd_secret_dup (access);
  job->refresh_token = refresh != NULL && *refresh != '\0' ? cd_secret_dup (refresh) : NULL;
  job->granted_scope = scope != NULL && cd_oauth_scope_is_valid (scope) ? g_strdup (scope) : NULL;
  job->expires_in = 3600;
  if (expires != NULL && JSON_NODE_HOLDS_VALUE (expires) &&
      json_node_get_value_type (expires) == G_TYPE_INT64)
    job->expires_in = CLAMP (json_node_get_int (expires), 1, 366 * 24 * 3600);

  return TRUE;
}

static gboolean
post_token_request (CdOAuthTokenJob  *job,
                    const char       *refresh_token,
                    GCancellable     *cancellable,
                    GError          **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(CdSecret) body = form_body (job, refresh_token);
  g_autoptr(CdSecret) authorization = basic_authorization (job);
  g_autoptr(GError) local_error = NULL;
  SoupMessageHeaders *headers;
  guint status;

  session = soup_session_new_with_options ("user-agent", "Coursedrop/" PACKAGE_VERSION,
                                           "timeout", TOKEN_TIMEOUT_SECONDS, NULL);
  if (job->tls_database != NULL)
    soup_session_set_tls_database (session, job->tls_database);

  message = soup_message_new (SOUP_METHOD_POST, job->token_url);
  if (message == NULL)
    {
      g_set_error_literal (error, CD_OAUTH_ERROR, CD_OAUTH_ERROR_INVALID_SETTING,
                           _("The token endpoint is not a valid address."));
      return FALSE;
    }
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");
  {
    CdSecret *copy = cd_secret_dup (body);
    g_autoptr(GBytes) bytes = g_bytes_new_with_free_func (copy, strlen (copy),
                                                          (GDestroyNotify) cd_secret_free, copy);

    soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded",
                                              bytes);
  }

  g_debug ("OAuth: POST %s (%s)", job->token_url,
           job->grant == CD_OAUTH_GRANT_CODE ? "authorization_code" : "refresh_token");

  if (!(stream = soup_session_send (session, message, cancellable, &local_error)) ||
      !(answer = read_capped (stream, cancellable, &local_error)))
    {
      g_debug ("OAuth: token request failed: %s", local_error->message);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          local_error->domain == CD_CLIENT_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CD_CLIENT_ERROR,
                     local_error->domain == G_TLS_ERROR ? CD_CLIENT_ERROR_TLS
                                                        : CD_CLIENT_ERROR_NETWORK,
                     _("Coursedrop could not reach Brightspace’s sign-in service (%s)."),
                     local_error->message);
      return FALSE;
    }

  status = soup_message_get_status (message);
  root = cd_json_parse (g_bytes_get_data (answer, NULL), (gssize) g_bytes_get_size (answer),
                        NULL);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_propagate_error (error, refusal_error (job, status,
                                               root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                                                 ? json_node_get_object (root) : NULL));
      return FALSE;
    }

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("Brightspace’s sign-in service sent an answer that is not "
                             "JSON."));
      return FALSE;
    }

  return parse_answer (job, json_node_get_object (root), error);
}

/* The refresh token in use: the keyring's, which may be newer than ours. */
static CdSecret *
current_refresh_token (CdOAuthTokenJob  *job,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  char *stored;
  CdSecret *copy;

  stored = cd_credentials_lookup (CD_CREDENTIAL_REFRESH_TOKEN, job->host, job->client_id,
                                  NULL, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (stored == NULL)
    {
      g_debug ("OAuth: no refresh token in the keyring (signed out)");
      g_propagate_error (error, expired_error ());
      return NULL;
    }

  if (job->had_refresh != NULL && strcmp (stored, job->had_refresh) != 0)
    g_debug ("OAuth: another process renewed the sign-in; using its refresh token");

  copy = cd_secret_dup (stored);
  cd_credentials_free_secret (stored);
  return copy;
}

/* The new refresh token reaches the keyring before the new access token
 * is used; an answer without one used the old one up. */
static gboolean
store_refresh_token (CdOAuthTokenJob  *job,
                     GCancellable     *cancellable,
                     GError          **error)
{
  if (job->refresh_token != NULL)
    return cd_credentials_store (CD_CREDENTIAL_REFRESH_TOKEN, job->host, job->client_id, NULL,
                                 job->refresh_token, cancellable, error);

  return cd_credentials_clear (CD_CREDENTIAL_REFRESH_TOKEN, job->host, job->client_id, NULL,
                               cancellable, error);
}

void
_cd_oauth_token_job_run (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  CdOAuthTokenJob *job = task_data;
  g_autoptr(CdSecret) refresh = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  if ((fd = take_lock (job->lock_path, &error)) < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (job->grant == CD_OAUTH_GRANT_REFRESH &&
      !(refresh = current_refresh_token (job, cancellable, &error)))
    goto out;

  if (!post_token_request (job, refresh, cancellable, &error))
    goto out;

  if (!store_refresh_token (job, cancellable, &error))
    {
      /* Unusable later, so not used now either. */
      cd_secret_clear (&job->access_token);
      goto out;
    }

out:
  release_lock (fd);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}
