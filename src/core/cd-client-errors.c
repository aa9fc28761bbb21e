/* cd-client-errors.c: turning HTTP and GIO outcomes into CD_CLIENT_ERROR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"
#include "cd-json.h"

static char *
body_to_text (GBytes *body)
{
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return g_strdup ("");

  data = g_bytes_get_data (body, &len);
  return len > 0 ? g_utf8_make_valid (data, len) : g_strdup ("");
}

/* The most telling sentence of a JSON error body: an RFC 7807 problem
 * "detail"/"title", or Valence's {"Errors": [{"Message": …}]}. */
static char *
json_error_message (const char *text)
{
  g_autoptr(JsonNode) root = cd_json_parse (text, -1, NULL);
  JsonObject *object;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);

  if (json_object_has_member (object, "Errors") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "Errors")))
    {
      JsonArray *errors = cd_json_get_array (object, "Errors");

      if (json_array_get_length (errors) > 0 &&
          JSON_NODE_HOLDS_OBJECT (json_array_get_element (errors, 0)))
        {
          JsonObject *first = json_node_get_object (json_array_get_element (errors, 0));
          const char *message = cd_json_get_string (first, "Message");
          if (message != NULL)
            return g_strdup (message);
        }
    }

  for (guint i = 0; i < 3; i++)
    {
      static const char * const keys[] = { "detail", "title", "Message" };
      JsonNode *node = json_object_get_member (object, keys[i]);

      if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
    }

  return NULL;
}

/* A short, single-line, redacted excerpt of an error body, fit for a
 * dialog or a log; NULL when there is nothing worth showing (HTML pages). */
char *
_cd_client_body_excerpt (GBytes *body,
                         gsize   max_chars)
{
  g_autofree char *text = body_to_text (body);
  g_autofree char *message = NULL;
  g_autofree char *redacted = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  const char *source;
  gboolean space = FALSE;

  g_strstrip (text);
  message = json_error_message (text);
  source = message != NULL ? message : text;
  if (*source == '\0' || *source == '<')
    return NULL;

  for (const char *p = source; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          space = line->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (line, ' ');
      space = FALSE;
      g_string_append_unichar (line, c);
    }

  redacted = cd_idkey_redact (line->str);
  if (g_utf8_strlen (redacted, -1) > (glong) max_chars)
    {
      g_autofree char *cut = g_utf8_substring (redacted, 0, max_chars);

      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&redacted);
}

gboolean
_cd_client_error_from_status (const char  *host,
                              const char  *route,
                              guint        status,
                              GBytes      *body,
                              GError     **error)
{
  g_autofree char *path = g_strndup (route, strcspn (route, "?#"));
  g_autofree char *text = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *excerpt = NULL;

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return TRUE;

  text = body_to_text (body);
  lower = g_ascii_strdown (text, -1);

  if (status == SOUP_STATUS_UNAUTHORIZED ||
      (status == SOUP_STATUS_FORBIDDEN && g_str_has_prefix (g_strchug (text), "Invalid token")))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_TOKEN,
                           _("Brightspace rejected the app or user key. Sign in again; if "
                             "that does not help, check the app ID and key."));
    }
  else if (status == SOUP_STATUS_FORBIDDEN && strstr (lower, "token expired") != NULL)
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TOKEN_EXPIRED,
                           _("Your Brightspace sign-in has expired. Sign in again."));
    }
  else if (status == SOUP_STATUS_FORBIDDEN && cd_idkey_parse_timestamp_error (text, NULL))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_TIMESTAMP,
                           _("Brightspace rejected the time of the request. Check that the "
                             "date and time of this computer are set automatically."));
    }
  else if (status == SOUP_STATUS_FORBIDDEN)
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_FORBIDDEN,
                   _("Your account is not permitted to access “%s” on Brightspace. "
                     "Ask an administrator to check your role’s permissions."), path);
    }
  else if (status == SOUP_STATUS_NOT_FOUND)
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NOT_FOUND,
                   _("Brightspace has nothing at “%s”. Check the course or item ID."), path);
    }
  else if (status == 429 /* Too Many Requests */)
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_RATE_LIMITED,
                           _("Brightspace is receiving too many requests from Coursedrop. "
                             "Wait a minute and try again."));
    }
  else if (SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_SERVER,
                   _("Brightspace had a problem answering (HTTP error %u). Try again "
                     "later."), status);
    }
  else if (SOUP_STATUS_IS_CLIENT_ERROR (status))
    {
      excerpt = _cd_client_body_excerpt (body, 160);
      if (excerpt != NULL)
        g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST,
                     _("Brightspace refused the request (HTTP error %u): %s"), status, excerpt);
      else
        g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_REQUEST,
                     _("Brightspace refused the request (HTTP error %u)."), status);
    }
  else if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                   _("%s sent the request elsewhere (HTTP %u). Check that this is the "
                     "address of your Brightspace site."), host, status);
    }
  else
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                   _("Brightspace sent an unexpected answer (HTTP %u)."), status);
    }

  return FALSE;
}

GError *
_cd_client_error_from_transport (const char   *host,
                                 SoupMessage  *message,
                                 const GError *error)
{
  GTlsCertificateFlags tls_flags = 0;
  g_autofree char *reason = NULL;
  g_autofree char *certificate = NULL;

  g_assert (error != NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  /* A certificate accepted by its pin keeps its verification errors on
   * the message, but a later failure has nothing to do with it. */
  if (message != NULL && !_cd_certificate_message_was_pinned (message))
    tls_flags = soup_message_get_tls_peer_certificate_errors (message);

  /* GIO messages hold no URLs, but the signed query must never leak. */
  reason = cd_idkey_redact (error->message);

  if (error->domain == G_TLS_ERROR || tls_flags != 0)
    {
      certificate = _cd_certificate_describe_flags (host, tls_flags);
      if (certificate != NULL)
        return g_error_new_literal (CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS, certificate);

      /* Uploads run on their own session: only the error tells. */
      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
        return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS,
                            _("The security certificate of %s is not trusted by this "
                              "computer."), host);

      return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_TLS,
                          _("Could not set up a secure connection to %s: %s"), host, reason);
    }

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK,
                        _("Could not find %s. Check the address and the internet "
                          "connection."), host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK,
                        _("%s refused the connection. Check the address, or try again "
                          "later."), host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK,
                        _("%s did not answer in time. Check the internet connection, or "
                          "try again later."), host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK,
                        _("Could not reach %s. Check the internet connection."), host);

  return g_error_new (CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK,
                      _("The connection to %s failed: %s"), host, reason);
}

/* The few words of "Cannot reach HOST: connection refused": the cause
 * without the advice that the full message adds. */
char *
_cd_client_transport_reason (const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return g_strdup (_("TLS failure"));
  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup (_("name not found"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("connection refused"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup (_("timed out"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_strdup (_("network unreachable"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_strdup (_("host unreachable"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    return g_strdup (_("connection lost"));

  return g_strdup (_("connection failed"));
}

char *
_cd_client_status_reason (guint status)
{
  if (status == 429)
    return g_strdup (_("too many requests"));
  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    /* Translators: %u is an HTTP status such as 503. */
    return g_strdup_printf (_("server error (HTTP %u)"), status);

  /* Translators: %u is an HTTP status such as 404. */
  return g_strdup_printf (_("HTTP error %u"), status);
}

gboolean
_cd_client_error_is_transient (const GError *error)
{
  return g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_NETWORK) ||
         g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_SERVER) ||
         g_error_matches (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_RATE_LIMITED);
}

/* Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3).  Capped
 * at CD_CLIENT_MAX_RETRY_AFTER_MS: a server asking for a week must not
 * make anyone sleep for one. */
guint
_cd_client_retry_after_ms (SoupMessage *message)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);

  return _cd_client_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"));
}

guint
_cd_client_parse_retry_after (const char *value)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds;
  GTimeSpan span;

  if (value == NULL)
    return 0;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seconds, NULL))
    return (guint) MIN (seconds, CD_CLIENT_MAX_RETRY_AFTER_MS / 1000) * 1000;

  /* Big enough for delta-seconds of any length: cap, do not ignore. */
  if (value[0] != '\0' && strspn (value, "0123456789") == strlen (value))
    return CD_CLIENT_MAX_RETRY_AFTER_MS;

  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return 0;

  now = g_date_time_new_now_utc ();
  span = g_date_time_difference (when, now) / 1000;
  return span > 0 ? (guint) MIN (span, (GTimeSpan) CD_CLIENT_MAX_RETRY_AFTER_MS) : 0;
}

JsonNode *
_cd_client_parse_json (GBytes  *body,
                       GError **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *data;
  JsonNode *root;
  gsize len = 0;

  data = g_bytes_get_data (body, &len);

  /* 204 No Content and friends: a valid answer without a document. */
  if (len == 0)
    return json_node_new (JSON_NODE_NULL);

  /* Depth-limited: json-glib's recursive parser would overflow the stack
   * on an answer nested a hundred thousand levels deep. */
  if (!cd_json_check_depth (data, len, CD_JSON_MAX_DEPTH))
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                   _("Brightspace sent an answer nested more than %u levels deep, which "
                     "Coursedrop does not read."), CD_JSON_MAX_DEPTH);
      return NULL;
    }

  if (!(root = cd_json_parse (data, (gssize) len, &local_error)))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_BAD_RESPONSE,
                           _("Brightspace sent an incomplete or damaged answer. Try again "
                             "later."));
      return NULL;
    }

  return root;
}
