/* cd-sandbox-auth.c: the sign-in pages and token expiry
 *
 * GET /d2l/auth/api/token plays Brightspace's side of the redirect flow
 * (valence-idkey.md §5): the app proves it knows its key by signing the
 * callback address, Brightspace only ever sends user keys to the app's
 * Trusted URL, and it sends them by redirecting the browser there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gnutls/crypto.h>

#include "cd-idkey.h"
#include "cd-sandbox-private.h"

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *body_html)
{
  g_autofree char *title_html = g_markup_escape_text (title, -1);
  g_autofree char *page = NULL;

  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          "<title>%s</title></head><body><h1>%s</h1>%s</body></html>\n",
                          title_html, title_html, body_html);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  _cd_sandbox_respond_text (msg, status, "text/html; charset=utf-8", page);
}

static void
respond_refusal (SoupServerMessage *msg,
                 guint              status,
                 const char        *title,
                 const char        *text)
{
  g_autofree char *text_html = g_markup_escape_text (text, -1);
  g_autofree char *body = g_strdup_printf ("<p>%s</p>", text_html);

  respond_page (msg, status, title, body);
}

/* --- token expiry -------------------------------------------------------------- */

gboolean
_cd_sandbox_check_expiry (CdSandbox         *self,
                          SoupServerMessage *msg)
{
  if (!self->user_key_expired && self->expire_after > 0 &&
      self->signed_requests >= self->expire_after)
    self->user_key_expired = TRUE;

  if (self->user_key_expired)
    {
      /* What Brightspace says when a user key has been revoked or timed out. */
      _cd_sandbox_respond_text (msg, SOUP_STATUS_FORBIDDEN, "text/html; charset=utf-8",
                                "Token expired");
      return FALSE;
    }

  self->signed_requests++;
  return TRUE;
}

void
cd_sandbox_expire_user_key (CdSandbox *self)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  self->user_key_expired = TRUE;
}

void
cd_sandbox_set_expire_after (CdSandbox *self,
                             guint      count)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  self->expire_after = count;
  self->signed_requests = 0;
}

void
_cd_sandbox_handle_expire (CdSandbox         *self,
                           SoupServerMessage *msg)
{
  cd_sandbox_expire_user_key (self);
  _cd_sandbox_respond_text (msg, SOUP_STATUS_OK, "text/plain; charset=utf-8",
                            "The user key has expired.\n");
}

/* --- sign-in ---------------------------------------------------------------------- */

void
cd_sandbox_set_trusted_url (CdSandbox  *self,
                            const char *url)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  g_free (self->trusted_url);
  self->trusted_url = url != NULL && *url != '\0' ? g_strdup (url) : NULL;
}

void
cd_sandbox_set_auto_approve (CdSandbox *self,
                             gboolean   auto_approve)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  self->auto_approve = !!auto_approve;
}

/* Answers the refusal itself and returns FALSE when the request is not
 * one Brightspace would honour. */
static gboolean
check_token_request (CdSandbox         *self,
                     SoupServerMessage *msg,
                     const char        *x_a,
                     const char        *x_b,
                     const char        *x_target)
{
  g_autofree char *expected = NULL;
  g_autoptr(GUri) target = NULL;
  gboolean valid;

  if (x_a == NULL || x_b == NULL || x_target == NULL)
    {
      respond_refusal (msg, SOUP_STATUS_BAD_REQUEST, "Bad request",
                       "The sign-in request lacks x_a, x_b or x_target.");
      return FALSE;
    }

  /* Both checks always run, so the time taken says nothing about which failed. */
  expected = cd_idkey_sign (self->app_key, x_target);
  valid = (g_strcmp0 (x_a, self->app_id) == 0) & cd_idkey_signature_equal (expected, x_b);
  if (!valid)
    {
      respond_refusal (msg, SOUP_STATUS_FORBIDDEN, "Invalid token",
                       "This application is not known, or its request was not signed "
                       "with its key.");
      return FALSE;
    }

  target = g_uri_parse (x_target, G_URI_FLAGS_ENCODED, NULL);
  if (target == NULL || g_uri_get_host (target) == NULL ||
      (g_strcmp0 (g_uri_get_scheme (target), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (target), "https") != 0))
    {
      respond_refusal (msg, SOUP_STATUS_BAD_REQUEST, "Bad request",
                       "x_target is not a web address.");
      return FALSE;
    }

  /* Keys go to the registered address only, compared byte for byte. */
  if (self->trusted_url != NULL && strcmp (x_target, self->trusted_url) != 0)
    {
      respond_refusal (msg, SOUP_STATUS_FORBIDDEN, "Not a trusted URL",
                       "The address this sign-in would return to is not the trusted URL "
                       "registered for this application.");
      return FALSE;
    }

  return TRUE;
}

static void
append_param (GString    *url,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (url, "%s=%s", name, escaped);
}

static char *
make_nonce (void)
{
  guint8 bytes[12];
  GString *nonce = g_string_new (NULL);

  if (gnutls_rnd (GNUTLS_RND_NONCE, bytes, sizeof bytes) != 0)
    for (guint i = 0; i < sizeof bytes; i++)
      bytes[i] = (guint8) g_random_int_range (0, 256);

  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (nonce, "%02x", bytes[i]);

  return g_string_free (nonce, FALSE);
}

/* After an expiry, signing in again hands out a new key, as Brightspace does. */
static void
ensure_fresh_user_key (CdSandbox *self)
{
  g_autofree char *nonce = NULL;

  if (!self->user_key_expired)
    return;

  nonce = make_nonce ();
  g_free (self->user_key);
  self->user_key = g_strdup_printf ("sandbox-user-key-%s", nonce);
  self->user_key_expired = FALSE;
  self->signed_requests = 0;
  self->expire_after = 0;
}

static void
redirect_with_keys (CdSandbox         *self,
                    SoupServerMessage *msg,
                    const char        *x_target)
{
  g_autoptr(GString) location = g_string_new (NULL);
  g_autofree char *nonce = make_nonce ();
  const char *fragment = strchr (x_target, '#');
  gsize base_len = fragment != NULL ? (gsize) (fragment - x_target) : strlen (x_target);

  ensure_fresh_user_key (self);

  g_string_append_len (location, x_target, base_len);
  g_string_append_c (location, memchr (x_target, '?', base_len) != NULL ? '&' : '?');
  append_param (location, "x_a", self->user_id);
  g_string_append_c (location, '&');
  append_param (location, "x_b", self->user_key);
  g_string_append_c (location, '&');
  append_param (location, "x_c", nonce);
  if (fragment != NULL)
    g_string_append (location, fragment);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location->str);
}

static void
respond_consent (CdSandbox         *self,
                 SoupServerMessage *msg,
                 const char        *x_a,
                 const char        *x_b,
                 const char        *x_target)
{
  g_autofree char *app = g_markup_escape_text (x_a, -1);
  g_autofree char *sig = g_markup_escape_text (x_b, -1);
  g_autofree char *target = g_markup_escape_text (x_target, -1);
  g_autofree char *body = NULL;

  body = g_strdup_printf ("<p>The application <b>%s</b> asks to use Brightspace as you. "
                          "It will be sent to <code>%s</code>.</p>"
                          "<form method=\"post\" action=\"/d2l/auth/api/token/allow\">"
                          "<input type=\"hidden\" name=\"x_a\" value=\"%s\">"
                          "<input type=\"hidden\" name=\"x_b\" value=\"%s\">"
                          "<input type=\"hidden\" name=\"x_target\" value=\"%s\">"
                          "<button type=\"submit\">Allow</button></form>",
                          app, target, app, sig, target);
  respond_page (msg, SOUP_STATUS_OK, "Allow access?", body);
}

void
_cd_sandbox_handle_auth_token (CdSandbox         *self,
                               SoupServerMessage *msg,
                               GHashTable        *query)
{
  const char *x_a = query != NULL ? g_hash_table_lookup (query, "x_a") : NULL;
  const char *x_b = query != NULL ? g_hash_table_lookup (query, "x_b") : NULL;
  const char *x_target = query != NULL ? g_hash_table_lookup (query, "x_target") : NULL;

  if (!check_token_request (self, msg, x_a, x_b, x_target))
    return;

  if (self->auto_approve)
    redirect_with_keys (self, msg, x_target);
  else
    respond_consent (self, msg, x_a, x_b, x_target);
}

void
_cd_sandbox_handle_auth_allow (CdSandbox         *self,
                               SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = soup_form_decode (text);
  const char *x_target = g_hash_table_lookup (form, "x_target");

  /* The form is the user's browser talking: check it all again. */
  if (!check_token_request (self, msg, g_hash_table_lookup (form, "x_a"),
                            g_hash_table_lookup (form, "x_b"), x_target))
    return;

  redirect_with_keys (self, msg, x_target);
}
