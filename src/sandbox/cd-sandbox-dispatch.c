/* cd-sandbox-dispatch.c: authentication, routing, faults and replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-idkey.h"
#include "cd-sandbox-private.h"

typedef struct
{
  CdSandbox         *self;  /* unowned: dispose removes the source first */
  SoupServerMessage *msg;
  guint              source_id;
} DelayedReply;

/* --- replies ------------------------------------------------------------ */

void
_cd_sandbox_respond_text (SoupServerMessage *msg,
                          guint              status,
                          const char        *content_type,
                          const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

void
_cd_sandbox_respond_json (SoupServerMessage *msg,
                          guint              status,
                          JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize len;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&text), len);
}

void
_cd_sandbox_respond_not_found (SoupServerMessage *msg)
{
  /* Brightspace answers unknown routes and objects with a bare 404. */
  _cd_sandbox_respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", "Not Found");
}

static void
respond_forbidden (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Errors");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Message");
  json_builder_add_string_value (builder, "Not Authorized");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  _cd_sandbox_respond_json (msg, SOUP_STATUS_FORBIDDEN, builder);
}

/* --- authentication ------------------------------------------------------- */

gint64
_cd_sandbox_server_now_usec (CdSandbox *self)
{
  return g_get_real_time () + self->skew * G_USEC_PER_SEC;
}

static gboolean
signature_ok (const char *key,
              const char *base,
              const char *given)
{
  g_autofree char *expected = cd_idkey_sign (key, base);

  return cd_idkey_signature_equal (expected, given);
}

gboolean
_cd_sandbox_check_auth (CdSandbox         *self,
                        SoupServerMessage *msg,
                        GHashTable        *query)
{
  const char *x_a, *x_b, *x_c, *x_d, *x_t;
  g_autofree char *base = NULL;
  gboolean valid;
  gint64 ts, now;

  switch (_cd_sandbox_oauth_check (self, msg))
    {
    case CD_SANDBOX_AUTH_OK:
      return TRUE;
    case CD_SANDBOX_AUTH_REFUSED:
      return FALSE;
    case CD_SANDBOX_AUTH_NONE:
    default:
      break;
    }

  x_a = query ? g_hash_table_lookup (query, "x_a") : NULL;
  x_b = query ? g_hash_table_lookup (query, "x_b") : NULL;
  x_c = query ? g_hash_table_lookup (query, "x_c") : NULL;
  x_d = query ? g_hash_table_lookup (query, "x_d") : NULL;
  x_t = query ? g_hash_table_lookup (query, "x_t") : NULL;

  valid = x_a != NULL && x_b != NULL && x_c != NULL && x_d != NULL && x_t != NULL &&
          g_ascii_string_to_signed (x_t, 10, G_MININT64, G_MAXINT64, &ts, NULL);

  if (valid)
    {
      /* The server must see the path exactly as the client signed it, so
       * the SoupServer runs with raw-paths and we decode in the signer. */
      base = cd_idkey_base_string (soup_server_message_get_method (msg),
                                   g_uri_get_path (soup_server_message_get_uri (msg)), ts);

      /* Check everything, so the time taken says nothing about which part failed. */
      valid = (g_strcmp0 (x_a, self->app_id) == 0) &
              (g_strcmp0 (x_b, self->user_id) == 0) &
              signature_ok (self->app_key, base, x_c) &
              signature_ok (self->user_key, base, x_d);
    }

  if (!valid)
    {
      _cd_sandbox_respond_text (msg, SOUP_STATUS_FORBIDDEN, "text/html; charset=utf-8",
                                "Invalid token");
      return FALSE;
    }

  now = _cd_sandbox_server_now_usec (self) / G_USEC_PER_SEC;
  if (ts > now + self->tolerance || ts < now - self->tolerance)
    {
      g_autofree char *body = g_strdup_printf ("Timestamp out of range\n%" G_GINT64_FORMAT, now);

      _cd_sandbox_respond_text (msg, SOUP_STATUS_FORBIDDEN, "text/html; charset=utf-8", body);
      return FALSE;
    }

  return _cd_sandbox_check_expiry (self, msg);
}

/* --- routing ---------------------------------------------------------------- */

static gint64
parse_org_unit (const char *text)
{
  gint64 id;

  /* Only plain digits: "+12" or " 12" are not D2LIDs. */
  if (text == NULL || !g_ascii_isdigit (*text) || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &id, NULL))
    return -1;
  return id;
}

void
_cd_sandbox_route_clear (CdSandboxRoute *route)
{
  g_clear_pointer (&route->token, g_free);
}

void
_cd_sandbox_parse_route (SoupServerMessage *msg,
                         CdSandboxRoute    *route)
{
  const char *method = soup_server_message_get_method (msg);
  const char *raw = g_uri_get_path (soup_server_message_get_uri (msg));
  gboolean get = g_strcmp0 (method, SOUP_METHOD_GET) == 0;
  g_auto(GStrv) seg = NULL;
  guint n;

  memset (route, 0, sizeof *route);
  route->org_unit_id = -1;

  if (raw == NULL || raw[0] != '/')
    return;

  seg = g_strsplit (raw + 1, "/", -1);
  n = g_strv_length (seg);
  for (guint i = 0; i < n; i++)
    {
      char *decoded = g_uri_unescape_string (seg[i], NULL);

      if (decoded == NULL)
        return;
      g_free (seg[i]);
      seg[i] = decoded;
    }

#define SEG_IS(i, s) ((i) < n && strcmp (seg[(i)], (s)) == 0)

  if (SEG_IS (0, "_sandbox") && n == 2 && SEG_IS (1, "expire") &&
      g_strcmp0 (method, SOUP_METHOD_POST) == 0)
    {
      route->kind = CD_SANDBOX_ROUTE_TEST_EXPIRE;
      return;
    }

  /* Sign-in pages: anonymous, outside /d2l/api/. */
  if (SEG_IS (0, "d2l") && SEG_IS (1, "auth") && SEG_IS (2, "api") && SEG_IS (3, "token"))
    {
      if (n == 4 && get)
        route->kind = CD_SANDBOX_ROUTE_AUTH_TOKEN;
      else if (n == 5 && SEG_IS (4, "allow") && g_strcmp0 (method, SOUP_METHOD_POST) == 0)
        route->kind = CD_SANDBOX_ROUTE_AUTH_ALLOW;
      return;
    }

  if (SEG_IS (0, "_sandbox") && get && (n == 2 || (n == 3 && SEG_IS (2, ""))))
    {
      if (SEG_IS (1, "uploads"))
        route->kind = CD_SANDBOX_ROUTE_TEST_UPLOADS;
      else if (SEG_IS (1, "stats"))
        route->kind = CD_SANDBOX_ROUTE_TEST_STATS;
      return;
    }

  if (!SEG_IS (0, "d2l") || !SEG_IS (1, "api"))
    return;

  route->api = TRUE;

  if (SEG_IS (2, "versions") && (n == 3 || (n == 4 && SEG_IS (3, ""))))
    {
      if (get)
        route->kind = CD_SANDBOX_ROUTE_VERSIONS;
      return;
    }

  if (n < 5)
    return;

  route->version_ok = _cd_sandbox_version_supported (seg[2], seg[3]);

  if (SEG_IS (2, "lp"))
    {
      if (get && n == 6 && SEG_IS (4, "users") && SEG_IS (5, "whoami"))
        route->kind = CD_SANDBOX_ROUTE_WHOAMI;
      else if (get && n == 6 && SEG_IS (4, "courses"))
        {
          route->org_unit_id = parse_org_unit (seg[5]);
          if (route->org_unit_id > 0)
            route->kind = CD_SANDBOX_ROUTE_COURSE;
        }
    }
  else if (SEG_IS (2, "le") && SEG_IS (4, "import") && SEG_IS (6, "imports"))
    {
      route->org_unit_id = parse_org_unit (seg[5]);
      if (route->org_unit_id < 0)
        return;

      if (!get && g_strcmp0 (method, SOUP_METHOD_POST) == 0 &&
          (n == 7 || (n == 8 && SEG_IS (7, ""))))
        route->kind = CD_SANDBOX_ROUTE_IMPORT_CREATE;
      else if (get && n == 8 && *seg[7] != '\0')
        route->kind = CD_SANDBOX_ROUTE_IMPORT_STATUS;
      else if (get && *seg[7] != '\0' && SEG_IS (8, "logs") &&
               (n == 9 || (n == 10 && SEG_IS (9, ""))))
        route->kind = CD_SANDBOX_ROUTE_IMPORT_LOGS;

      if (route->kind == CD_SANDBOX_ROUTE_IMPORT_STATUS ||
          route->kind == CD_SANDBOX_ROUTE_IMPORT_LOGS)
        route->token = g_strdup (seg[7]);
    }
  else if (SEG_IS (2, "le") && get)
    _cd_sandbox_parse_content_route (seg, n, route);

#undef SEG_IS
}

gboolean
_cd_sandbox_check_offering (CdSandbox         *self,
                            SoupServerMessage *msg,
                            gint64             org_unit_id)
{
  if (g_hash_table_contains (self->forbidden, &org_unit_id))
    {
      respond_forbidden (msg);
      return FALSE;
    }

  if (!g_hash_table_contains (self->offerings, &org_unit_id))
    {
      _cd_sandbox_respond_not_found (msg);
      return FALSE;
    }

  return TRUE;
}

/* --- faults -------------------------------------------------------------------- */

static void
delayed_reply_free (DelayedReply *reply)
{
  g_clear_handle_id (&reply->source_id, g_source_remove);
  g_object_unref (reply->msg);
  g_free (reply);
}

void
_cd_sandbox_cancel_delayed (CdSandbox *self)
{
  g_list_free_full (g_steal_pointer (&self->delayed), (GDestroyNotify)delayed_reply_free);
}

static gboolean
delayed_reply_cb (gpointer user_data)
{
  DelayedReply *reply = user_data;
  CdSandbox *self = reply->self;

  reply->source_id = 0;
  soup_server_message_unpause (reply->msg);
  self->delayed = g_list_remove (self->delayed, reply);
  delayed_reply_free (reply);

  return G_SOURCE_REMOVE;
}

static void
break_json (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize len = g_bytes_get_size (bytes);
  g_autofree char *cut = g_strndup (g_bytes_get_data (bytes, NULL), MAX (len / 2, 1));

  /* A proxy or a crashed worker: status and type promise JSON, the body stops short. */
  soup_message_body_truncate (body);
  _cd_sandbox_respond_text (msg, SOUP_STATUS_OK, "application/json; charset=utf-8",
                            len > 0 ? cut : "{\"");
}

/* Applies the next queued GET fault; returns TRUE when the reply is already made. */
static gboolean
apply_fault_before (CdSandbox           *self,
                    SoupServerMessage   *msg,
                    CdSandboxFaultEntry *fault)
{
  g_autofree char *retry = NULL;

  switch (fault->kind)
    {
    case CD_SANDBOX_FAULT_SERVER_ERROR:
      _cd_sandbox_respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                "text/plain; charset=utf-8", "Internal Server Error");
      return TRUE;

    case CD_SANDBOX_FAULT_RATE_LIMIT:
      retry = g_strdup_printf ("%u", fault->arg);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", retry);
      _cd_sandbox_respond_text (msg, 429 /* not in libsoup 3.2 */,
                                "text/plain; charset=utf-8", "Too Many Requests");
      return TRUE;

    case CD_SANDBOX_FAULT_BAD_CLOCK:
      /* A clock the client cannot catch up with: it adopts the time given
       * and is refused again. */
      retry = g_strdup_printf ("Timestamp out of range\n%" G_GINT64_FORMAT,
                               _cd_sandbox_server_now_usec (self) / G_USEC_PER_SEC);
      _cd_sandbox_respond_text (msg, SOUP_STATUS_FORBIDDEN, "text/html; charset=utf-8", retry);
      return TRUE;

    case CD_SANDBOX_FAULT_BROKEN_JSON:
    case CD_SANDBOX_FAULT_SLOW:
    case CD_SANDBOX_FAULT_CUT_UPLOAD:
    default:
      return FALSE;
    }
}

void
_cd_sandbox_delay_reply (CdSandbox         *self,
                         SoupServerMessage *msg,
                         guint              ms)
{
  DelayedReply *reply = g_new0 (DelayedReply, 1);

  reply->self = self;
  reply->msg = g_object_ref (msg);
  reply->source_id = g_timeout_add (ms, delayed_reply_cb, reply);
  self->delayed = g_list_prepend (self->delayed, reply);
  soup_server_message_pause (msg);
}

static void
apply_fault_after (CdSandbox           *self,
                   SoupServerMessage   *msg,
                   CdSandboxFaultEntry *fault)
{
  switch (fault->kind)
    {
    case CD_SANDBOX_FAULT_BROKEN_JSON:
      break_json (msg);
      break;

    case CD_SANDBOX_FAULT_SLOW:
      _cd_sandbox_delay_reply (self, msg, fault->arg);
      break;

    case CD_SANDBOX_FAULT_SERVER_ERROR:
    case CD_SANDBOX_FAULT_RATE_LIMIT:
    case CD_SANDBOX_FAULT_CUT_UPLOAD:
    case CD_SANDBOX_FAULT_BAD_CLOCK:
    default:
      break;
    }
}

static CdSandboxFaultEntry *
take_get_fault (CdSandbox *self)
{
  CdSandboxFaultEntry *head = g_queue_peek_head (&self->get_faults);
  CdSandboxFaultEntry *copy;

  if (head == NULL)
    return NULL;

  copy = g_memdup2 (head, sizeof *head);
  copy->body = g_strdup (head->body);
  if (--head->remaining == 0)
    _cd_sandbox_fault_entry_free (g_queue_pop_head (&self->get_faults));

  return copy;
}

void
_cd_sandbox_fault_entry_free (CdSandboxFaultEntry *entry)
{
  g_free (entry->body);
  g_free (entry);
}

/* Hostile answers apply to any GET, versions included. */
static gboolean
apply_hostile (CdSandbox         *self,
               SoupServerMessage *msg)
{
  CdSandboxFaultEntry *head = g_queue_peek_head (&self->get_faults);
  g_autoptr(CdSandboxFaultEntry) fault = NULL;

  if (head == NULL || !_cd_sandbox_fault_is_hostile (head->kind) ||
      g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    return FALSE;

  fault = take_get_fault (self);
  _cd_sandbox_hostile_reply (self, msg, fault);
  return TRUE;
}

/* --- dispatch --------------------------------------------------------------------- */

static void
server_early_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  CdSandbox *self = user_data;
  CdSandboxRoute route;

  _cd_sandbox_parse_route (msg, &route);

  /* Test-only routes must not disturb the counts they report. */
  if (route.kind != CD_SANDBOX_ROUTE_TEST_UPLOADS && route.kind != CD_SANDBOX_ROUTE_TEST_STATS &&
      route.kind != CD_SANDBOX_ROUTE_TEST_EXPIRE)
    self->request_count++;

  if (_cd_sandbox_org_units_early (self, msg, &route))
    ;
  else if (route.kind == CD_SANDBOX_ROUTE_IMPORT_CREATE)
    _cd_sandbox_upload_early (self, msg, query, &route);

  _cd_sandbox_route_clear (&route);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  CdSandbox *self = user_data;
  g_autoptr(CdSandboxFaultEntry) fault = NULL;
  CdSandboxRoute route;

  if (_cd_sandbox_oauth_dispatch (self, msg, query))
    return;

  _cd_sandbox_parse_route (msg, &route);

  switch (route.kind)
    {
    case CD_SANDBOX_ROUTE_TEST_UPLOADS:
      _cd_sandbox_test_uploads (self, msg);
      goto out;
    case CD_SANDBOX_ROUTE_TEST_STATS:
      _cd_sandbox_handle_stats (self, msg);
      goto out;
    case CD_SANDBOX_ROUTE_VERSIONS:
      if (!apply_hostile (self, msg))
        _cd_sandbox_handle_versions (msg);
      goto out;
    case CD_SANDBOX_ROUTE_TEST_EXPIRE:
      _cd_sandbox_handle_expire (self, msg);
      goto out;
    case CD_SANDBOX_ROUTE_AUTH_TOKEN:
      _cd_sandbox_handle_auth_token (self, msg, query);
      goto out;
    case CD_SANDBOX_ROUTE_AUTH_ALLOW:
      _cd_sandbox_handle_auth_allow (self, msg);
      goto out;
    case CD_SANDBOX_ROUTE_NONE:
    case CD_SANDBOX_ROUTE_WHOAMI:
    case CD_SANDBOX_ROUTE_COURSE:
    case CD_SANDBOX_ROUTE_IMPORT_CREATE:
    case CD_SANDBOX_ROUTE_IMPORT_STATUS:
    case CD_SANDBOX_ROUTE_IMPORT_LOGS:
    case CD_SANDBOX_ROUTE_CONTENT:
    default:
      break;
    }

  if (!route.api && _cd_sandbox_org_units_test_route (self, msg))
    goto out;

  if (!route.api)
    {
      _cd_sandbox_respond_not_found (msg);
      goto out;
    }

  /* Uploads were authenticated in the early handler, before their body. */
  if (route.kind == CD_SANDBOX_ROUTE_IMPORT_CREATE)
    {
      _cd_sandbox_upload_finish (self, msg, &route);
      goto out;
    }

  if (!_cd_sandbox_check_auth (self, msg, query))
    goto out;

  if (apply_hostile (self, msg))
    goto out;

  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) == 0)
    fault = take_get_fault (self);

  if (fault != NULL && apply_fault_before (self, msg, fault))
    goto out;

  if (route.kind == CD_SANDBOX_ROUTE_NONE && _cd_sandbox_org_units_handle (self, msg, query))
    ;
  else if (route.kind == CD_SANDBOX_ROUTE_NONE || !route.version_ok)
    _cd_sandbox_respond_not_found (msg);
  else if (route.kind == CD_SANDBOX_ROUTE_WHOAMI)
    _cd_sandbox_handle_whoami (msg);
  else if (route.kind == CD_SANDBOX_ROUTE_COURSE)
    _cd_sandbox_handle_course (self, msg, route.org_unit_id);
  else if (route.kind == CD_SANDBOX_ROUTE_IMPORT_STATUS)
    _cd_sandbox_import_status (self, msg, &route);
  else if (route.kind == CD_SANDBOX_ROUTE_IMPORT_LOGS)
    _cd_sandbox_import_logs (self, msg, query, &route);
  else if (route.kind == CD_SANDBOX_ROUTE_CONTENT)
    _cd_sandbox_content_handle (self, msg, query, &route);
  else
    _cd_sandbox_respond_not_found (msg);

  if (fault != NULL)
    apply_fault_after (self, msg, fault);

out:
  _cd_sandbox_route_clear (&route);
}

void
_cd_sandbox_install_handlers (CdSandbox  *self,
                              SoupServer *server)
{
  /* One catch-all pair: routing is ours, since paths arrive still encoded. */
  soup_server_add_early_handler (server, NULL, server_early_cb, self, NULL);
  soup_server_add_handler (server, NULL, server_cb, self, NULL);
}
