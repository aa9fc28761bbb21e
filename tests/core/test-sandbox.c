/* test-sandbox.c: the Brightspace stand-in, over real HTTP on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "cd-idkey.h"
#include "cd-sandbox.h"
#include "cd-sandbox-multipart.h"

#define WHOAMI "/d2l/api/lp/1.46/users/whoami"
#define IMPORTS_6606 "/d2l/api/le/1.79/import/6606/imports/"
#define FAST_TIMELINE "UPLOADING:0.2,PROCESSING:0.2,COMPLETED"

typedef struct
{
  CdSandbox   *sandbox;
  SoupSession *session;
} Fixture;

typedef struct
{
  guint               status;
  char               *body;     /* NUL-terminated copy */
  gsize               len;
  SoupMessageHeaders *headers;
  GError             *error;
  gint64              finished; /* monotonic µs */
  gboolean            done;
} Response;

static void
response_free (Response *r)
{
  g_free (r->body);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_error (&r->error);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

/* --- HTTP helpers ----------------------------------------------------------- */

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Response *r = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               &r->error);

  if (bytes != NULL)
    {
      r->status = soup_message_get_status (msg);
      r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
      r->body = g_strndup (g_bytes_get_data (bytes, &r->len), g_bytes_get_size (bytes));
    }

  r->finished = g_get_monotonic_time ();
  r->done = TRUE;
}

/* Starts a request; the in-process server and the client share the main
 * context, so callers spin it until r->done. */
static Response *
start_request (SoupSession  *session,
               const char   *method,
               const char   *url,
               const char   *content_type,
               GBytes       *body,
               GInputStream *stream)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Response *r = g_new0 (Response, 1);

  g_assert_nonnull (msg);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  else if (stream != NULL)
    soup_message_set_request_body (msg, content_type, stream, -1);

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, send_cb, r);
  return r;
}

static void
wait_for (Response *r)
{
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

static Response *
request (SoupSession *session,
         const char  *method,
         const char  *url,
         const char  *content_type,
         GBytes      *body)
{
  Response *r = start_request (session, method, url, content_type, body, NULL);

  wait_for (r);
  return r;
}

static Response *
get (SoupSession *session,
     const char  *url)
{
  return request (session, "GET", url, NULL, NULL);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
sleep_ms (guint ms)
{
  gboolean fired = FALSE;

  g_timeout_add (ms, timeout_cb, &fired);
  while (!fired)
    g_main_context_iteration (NULL, TRUE);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
signed_url_full (CdSandbox  *sandbox,
                 const char *method,
                 const char *path,
                 const char *query,
                 gint64      timestamp,
                 const char *user_key)
{
  g_autofree char *base = cd_idkey_base_string (method, path, timestamp);
  g_autofree char *x_c = cd_idkey_sign (CD_SANDBOX_DEFAULT_APP_KEY, base);
  g_autofree char *x_d = cd_idkey_sign (user_key, base);

  return g_strdup_printf ("%s%s?%s%sx_a=%s&x_b=%s&x_c=%s&x_d=%s&x_t=%" G_GINT64_FORMAT,
                          cd_sandbox_get_url (sandbox), path,
                          query ? query : "", query ? "&" : "",
                          CD_SANDBOX_DEFAULT_APP_ID, CD_SANDBOX_DEFAULT_USER_ID,
                          x_c, x_d, timestamp);
}

static char *
signed_url (CdSandbox  *sandbox,
            const char *method,
            const char *path)
{
  return signed_url_full (sandbox, method, path, NULL, now_seconds (),
                          CD_SANDBOX_DEFAULT_USER_KEY);
}

static Response *
signed_get (Fixture    *f,
            const char *path)
{
  g_autofree char *url = signed_url (f->sandbox, "GET", path);

  return get (f->session, url);
}

static JsonNode *
parse_json (Response *r)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_no_error (r->error);
  json_parser_load_from_data (parser, r->body, r->len, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static void
assert_content_type (Response   *r,
                     const char *expected)
{
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Content-Type"), ==, expected);
}

/* --- packages ----------------------------------------------------------------- */

static guint32
zip_crc32 (const guint8 *data,
       gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }

  return ~crc;
}

static void
put16 (GByteArray *a,
       guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (a, b, 2);
}

static void
put32 (GByteArray *a,
       guint32     v)
{
  put16 (a, v & 0xffff);
  put16 (a, v >> 16);
}

/* A valid zip with one stored imsmanifest.xml of about @size bytes. */
static GBytes *
make_zip (gsize size)
{
  static const char name[] = "imsmanifest.xml";
  const char *xml = "<?xml version=\"1.0\"?><manifest identifier=\"m1\"/>";
  GByteArray *zip = g_byte_array_new ();
  g_autoptr(GByteArray) content = g_byte_array_new ();
  guint16 name_len = sizeof name - 1;
  guint32 crc, central, central_size;

  g_byte_array_append (content, (const guint8 *)xml, strlen (xml));
  while (content->len < size)
    g_byte_array_append (content, (const guint8 *)"<!-- padding -->\n", 17);
  crc = zip_crc32 (content->data, content->len);

  put32 (zip, 0x04034b50);         /* local file header */
  put16 (zip, 10); put16 (zip, 0); put16 (zip, 0); put16 (zip, 0); put16 (zip, 0);
  put32 (zip, crc); put32 (zip, content->len); put32 (zip, content->len);
  put16 (zip, name_len); put16 (zip, 0);
  g_byte_array_append (zip, (const guint8 *)name, name_len);
  g_byte_array_append (zip, content->data, content->len);

  central = zip->len;
  put32 (zip, 0x02014b50);         /* central directory */
  put16 (zip, 20); put16 (zip, 10); put16 (zip, 0); put16 (zip, 0); put16 (zip, 0); put16 (zip, 0);
  put32 (zip, crc); put32 (zip, content->len); put32 (zip, content->len);
  put16 (zip, name_len); put16 (zip, 0); put16 (zip, 0); put16 (zip, 0); put16 (zip, 0);
  put32 (zip, 0); put32 (zip, 0);
  g_byte_array_append (zip, (const guint8 *)name, name_len);

  central_size = zip->len - central;
  put32 (zip, 0x06054b50);         /* end of central directory */
  put16 (zip, 0); put16 (zip, 0); put16 (zip, 1); put16 (zip, 1);
  put32 (zip, central_size); put32 (zip, central); put16 (zip, 0);

  return g_byte_array_free_to_bytes (zip);
}

#define BOUNDARY "----CoursedropTestBoundary7MA4YWxk"

/* A form with one part, its Content-Disposition parameters given raw, so
 * the test controls the exact file name encoding on the wire. */
static GBytes *
make_form (const char *disposition_params,
           GBytes     *content)
{
  GByteArray *body = g_byte_array_new ();
  g_autofree char *head = g_strdup_printf ("--" BOUNDARY "\r\n"
                                           "Content-Disposition: form-data; %s\r\n"
                                           "Content-Type: application/zip\r\n\r\n",
                                           disposition_params);
  const char *tail = "\r\n--" BOUNDARY "--\r\n";

  g_byte_array_append (body, (const guint8 *)head, strlen (head));
  g_byte_array_append (body, g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  g_byte_array_append (body, (const guint8 *)tail, strlen (tail));
  return g_byte_array_free_to_bytes (body);
}

static Response *
upload_to (Fixture    *f,
           const char *path,
           const char *query,
           GBytes     *form)
{
  g_autofree char *url = signed_url_full (f->sandbox, "POST", path, query, now_seconds (),
                                          CD_SANDBOX_DEFAULT_USER_KEY);

  return request (f->session, "POST", url, "multipart/form-data; boundary=" BOUNDARY, form);
}

/* Uploads a small zip and returns the job token. */
static char *
upload_zip (Fixture    *f,
            const char *path)
{
  g_autoptr(GBytes) zip = make_zip (512);
  g_autoptr(GBytes) form = make_form ("name=\"file\"; filename=\"course.zip\"", zip);
  g_autoptr(Response) r = upload_to (f, path, NULL, form);
  g_autoptr(JsonNode) root = NULL;
  const char *token;

  g_assert_cmpuint (r->status, ==, 200);
  root = parse_json (r);
  token = json_object_get_string_member (json_node_get_object (root), "JobToken");
  g_assert_nonnull (token);
  return g_strdup (token);
}

static JsonArray *
get_uploads (Fixture  *f,
             JsonNode **root)
{
  g_autofree char *url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/_sandbox/uploads", NULL);
  g_autoptr(Response) r = get (f->session, url);

  g_assert_cmpuint (r->status, ==, 200);
  *root = parse_json (r);
  return json_node_get_array (*root);
}

/* No proxy resolver: the default one reads GSettings schemas, which
 * G_TEST_OPTION_ISOLATE_DIRS hides, and loopback needs no proxy anyway. */
static SoupSession *
new_session (GTlsDatabase *database)
{
  return soup_session_new_with_options ("proxy-resolver", NULL,
                                        "tls-database", database,
                                        "timeout", 10,
                                        NULL);
}

/* Uploads are streamed to temp files; none may survive its request. */
static void
assert_no_temp_files (void)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "coursedrop-upload-"));
}

/* --- fixture -------------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->sandbox = cd_sandbox_new ();
  cd_sandbox_add_forbidden (f->sandbox, 777);
  cd_sandbox_listen (f->sandbox, 0, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cd_sandbox_get_url (f->sandbox), "http://127.0.0.1:"));
  g_assert_false (g_str_has_suffix (cd_sandbox_get_url (f->sandbox), "/"));

  f->session = new_session (NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_assert_finalize_object (f->sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_no_temp_files ();
}

/* --- tests: versions and auth ------------------------------------------------------- */

static JsonObject *
find_product (JsonArray  *products,
              const char *code)
{
  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonObject *o = json_array_get_object_element (products, i);

      if (g_strcmp0 (json_object_get_string_member (o, "ProductCode"), code) == 0)
        return o;
    }
  return NULL;
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static void
test_versions (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/", NULL);
  g_autoptr(Response) r = get (f->session, url);
  g_autoptr(Response) signed_r = signed_get (f, "/d2l/api/versions/");
  g_autoptr(JsonNode) root = parse_json (r);
  JsonObject *lp, *le;

  g_assert_cmpuint (r->status, ==, 200);
  assert_content_type (r, "application/json; charset=utf-8");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));

  lp = find_product (json_node_get_array (root), "lp");
  le = find_product (json_node_get_array (root), "le");
  g_assert_nonnull (lp);
  g_assert_nonnull (le);
  g_assert_cmpstr (json_object_get_string_member (lp, "LatestVersion"), ==, "1.46");
  g_assert_cmpstr (json_object_get_string_member (le, "LatestVersion"), ==, "1.79");
  g_assert_true (array_has_string (json_object_get_array_member (lp, "SupportedVersions"), "1.0"));
  g_assert_true (array_has_string (json_object_get_array_member (lp, "SupportedVersions"), "1.46"));
  g_assert_true (array_has_string (json_object_get_array_member (le, "SupportedVersions"), "1.51"));
  g_assert_false (array_has_string (json_object_get_array_member (le, "SupportedVersions"), "1.80"));

  g_assert_cmpuint (signed_r->status, ==, 200);
  g_assert_cmpstr (signed_r->body, ==, r->body);
}

static void
test_whoami (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Response) r = signed_get (f, WHOAMI);
  g_autoptr(JsonNode) root = parse_json (r);
  JsonObject *o = json_node_get_object (root);
  const char *id = json_object_get_string_member (o, "Identifier");
  gint64 parsed;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_ascii_string_to_signed (id, 10, 1, G_MAXINT64, &parsed, NULL));
  g_assert_cmpstr (json_object_get_string_member (o, "FirstName"), ==, "Dana");
  g_assert_cmpstr (json_object_get_string_member (o, "LastName"), ==, "Demo");
  g_assert_cmpstr (json_object_get_string_member (o, "UniqueName"), ==, "dana.demo");
  g_assert_true (json_object_has_member (o, "ProfileIdentifier"));
}

/* The client signs the path as sent, percent-encoded; the server must not
 * see a decoded copy. */
static void
test_encoded_path (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Response) r = signed_get (f, "/d2l/api/lp/1.46/users/%77hoami");

  g_assert_cmpuint (r->status, ==, 200);
}

static void
assert_invalid_token (Response *r)
{
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, 403);
  g_assert_cmpstr (r->body, ==, "Invalid token");
  assert_content_type (r, "text/html; charset=utf-8");
}

static void
test_auth_missing (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *plain = g_strconcat (cd_sandbox_get_url (f->sandbox), WHOAMI, NULL);
  g_autofree char *url = signed_url (f->sandbox, "GET", WHOAMI);
  g_autofree char *without_d = NULL;
  g_autoptr(Response) r1 = get (f->session, plain);
  g_autoptr(Response) r2 = NULL;
  char *x_d = strstr (url, "&x_d=");
  char *x_t = strstr (url, "&x_t=");

  assert_invalid_token (r1);

  g_assert_nonnull (x_d);
  g_assert_nonnull (x_t);
  without_d = g_strdup_printf ("%.*s%s", (int)(x_d - url), url, x_t);
  r2 = get (f->session, without_d);
  assert_invalid_token (r2);
}

static void
test_auth_wrong_key (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *url = signed_url_full (f->sandbox, "GET", WHOAMI, NULL, now_seconds (),
                                          "not-the-user-key");
  g_autofree char *other_path = signed_url (f->sandbox, "GET", "/d2l/api/lp/1.46/courses/6606");
  g_autofree char *moved = NULL;
  g_autoptr(Response) r1 = get (f->session, url);
  g_autoptr(Response) r2 = NULL;

  assert_invalid_token (r1);

  /* The signature covers the path: reuse it on another course. */
  moved = g_strdup (other_path);
  memcpy (strstr (moved, "/courses/6606") + 9, "6607", 4);
  r2 = get (f->session, moved);
  assert_invalid_token (r2);
}

static gint64
parse_timestamp_error (Response *r)
{
  gint64 server_time = 0;

  g_assert_cmpuint (r->status, ==, 403);
  assert_content_type (r, "text/html; charset=utf-8");
  g_assert_true (g_str_has_prefix (r->body, "Timestamp out of range\n"));
  g_assert_false (g_str_has_suffix (r->body, "\n"));
  g_assert_true (g_ascii_string_to_signed (r->body + strlen ("Timestamp out of range\n"),
                                           10, 0, G_MAXINT64, &server_time, NULL));
  g_assert_true (cd_idkey_parse_timestamp_error (r->body, &server_time));
  return server_time;
}

static void
test_auth_stale (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *stale = signed_url_full (f->sandbox, "GET", WHOAMI, NULL, now_seconds () - 1000,
                                            CD_SANDBOX_DEFAULT_USER_KEY);
  g_autofree char *now_url = NULL;
  g_autofree char *fixed = NULL;
  g_autoptr(Response) r1 = get (f->session, stale);
  g_autoptr(Response) r2 = NULL;
  g_autoptr(Response) r3 = NULL;
  gint64 server_time;

  server_time = parse_timestamp_error (r1);
  g_assert_cmpint (ABS (server_time - now_seconds ()), <=, 5);

  /* A server whose clock runs two hours ahead rejects our "now"... */
  cd_sandbox_set_skew (f->sandbox, 7200);
  now_url = signed_url (f->sandbox, "GET", WHOAMI);
  r2 = get (f->session, now_url);
  server_time = parse_timestamp_error (r2);
  g_assert_cmpint (ABS (server_time - (now_seconds () + 7200)), <=, 5);

  /* ...and accepts a request signed with its own time. */
  fixed = signed_url_full (f->sandbox, "GET", WHOAMI, NULL, server_time,
                           CD_SANDBOX_DEFAULT_USER_KEY);
  r3 = get (f->session, fixed);
  g_assert_cmpuint (r3->status, ==, 200);
}

/* --- tests: courses and versions --------------------------------------------------- */

static void
test_course (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Response) ok = signed_get (f, "/d2l/api/lp/1.46/courses/6606");
  g_autoptr(Response) missing = signed_get (f, "/d2l/api/lp/1.46/courses/99999");
  g_autoptr(Response) forbidden = signed_get (f, "/d2l/api/lp/1.46/courses/777");
  g_autoptr(Response) not_number = signed_get (f, "/d2l/api/lp/1.46/courses/abc");
  g_autoptr(JsonNode) root = parse_json (ok);
  g_autoptr(JsonNode) errors = NULL;
  JsonObject *o = json_node_get_object (root);

  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "Identifier"), ==, "6606");
  g_assert_cmpstr (json_object_get_string_member (o, "Name"), ==, "Biology 101");
  g_assert_cmpstr (json_object_get_string_member (o, "Code"), ==, "BIO101");
  g_assert_true (json_object_get_boolean_member (o, "IsActive"));
  g_assert_cmpstr (json_object_get_string_member (o, "Path"), ==, "/content/enforced/6606-BIO101/");
  g_assert_true (json_object_get_null_member (o, "StartDate"));
  g_assert_true (json_object_get_null_member (o, "Semester"));
  g_assert_nonnull (json_object_get_object_member (o, "CourseTemplate"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "Description"),
                                                  "Html"), ==, "");
  g_assert_false (json_object_get_boolean_member (o, "CanSelfRegister"));

  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpuint (not_number->status, ==, 404);

  g_assert_cmpuint (forbidden->status, ==, 403);
  g_assert_cmpstr (forbidden->body, !=, "Invalid token");
  errors = parse_json (forbidden);
  g_assert_true (json_object_has_member (json_node_get_object (errors), "Errors"));
}

static void
test_unsupported_version (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Response) lp = signed_get (f, "/d2l/api/lp/9.99/users/whoami");
  g_autoptr(Response) le = signed_get (f, "/d2l/api/le/1.80/import/6606/imports/8840");
  g_autoptr(Response) unknown = signed_get (f, "/d2l/api/lp/1.46/nothing/here");
  g_autofree char *outside = g_strconcat (cd_sandbox_get_url (f->sandbox), "/index.html", NULL);
  g_autoptr(Response) page = get (f->session, outside);

  g_assert_cmpuint (lp->status, ==, 404);
  g_assert_cmpuint (le->status, ==, 404);
  g_assert_cmpuint (unknown->status, ==, 404);
  g_assert_cmpuint (page->status, ==, 404);
}

/* --- tests: uploads ------------------------------------------------------------------ */

static void
test_upload_zip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) zip = make_zip (4000);
  g_autoptr(GBytes) form = make_form ("name=\"file\"; filename=\"course.zip\"", zip);
  g_autoptr(Response) r = upload_to (f, IMPORTS_6606, "callbackUrl=https%3A%2F%2Fexample.org%2Fcb",
                                     form);
  g_autoptr(JsonNode) root = parse_json (r);
  g_autoptr(JsonNode) uploads_root = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, zip);
  const char *token = json_object_get_string_member (json_node_get_object (root), "JobToken");
  JsonArray *uploads;
  JsonObject *u;
  gint64 parsed;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_ascii_string_to_signed (token, 10, 1, G_MAXINT64, &parsed, NULL));

  uploads = get_uploads (f, &uploads_root);
  g_assert_cmpuint (json_array_get_length (uploads), ==, 1);
  u = json_array_get_object_element (uploads, 0);
  g_assert_cmpstr (json_object_get_string_member (u, "JobToken"), ==, token);
  g_assert_cmpint (json_object_get_int_member (u, "OrgUnitId"), ==, 6606);
  g_assert_cmpstr (json_object_get_string_member (u, "FileName"), ==, "course.zip");
  g_assert_cmpint (json_object_get_int_member (u, "Size"), ==, g_bytes_get_size (zip));
  g_assert_cmpstr (json_object_get_string_member (u, "Sha256"), ==, sha);
  g_assert_cmpstr (json_object_get_string_member (u, "CallbackUrl"), ==, "https://example.org/cb");
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
}

static void
test_upload_filenames (Fixture       *f,
                       gconstpointer  data)
{
  struct {
    const char *params;
    const char *expected;
  } cases[] = {
    /* HTML5 forms: raw UTF-8, '"' as %22. */
    { "name=\"file\"; filename=\"Week 1 %22Intro%22 \xc3\xa9t\xc3\xa9.zip\"",
      "Week 1 \"Intro\" \xc3\xa9t\xc3\xa9.zip" },
    /* RFC 5987, as libsoup writes non-ASCII names; it wins over filename=. */
    { "name=\"file\"; filename=\"fallback.zip\"; filename*=UTF-8''caf%C3%A9%20%22x%22.zip",
      "caf\xc3\xa9 \"x\".zip" },
  };
  g_autoptr(GBytes) zip = make_zip (100);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *uploads;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) form = make_form (cases[i].params, zip);
      g_autoptr(Response) r = upload_to (f, IMPORTS_6606, NULL, form);

      g_assert_cmpuint (r->status, ==, 200);
    }

  uploads = get_uploads (f, &root);
  g_assert_cmpuint (json_array_get_length (uploads), ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JsonObject *u = json_array_get_object_element (uploads, i);

      g_assert_cmpstr (json_object_get_string_member (u, "FileName"), ==, cases[i].expected);
    }
}

static void
test_upload_rejected (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) not_zip = g_bytes_new_static ("%PDF-1.7 not a zip", 18);
  g_autoptr(GBytes) zip = make_zip (100);
  g_autoptr(GBytes) pdf_form = make_form ("name=\"file\"; filename=\"course.pdf\"", not_zip);
  g_autoptr(GBytes) other_form = make_form ("name=\"package\"; filename=\"course.zip\"", zip);
  g_autoptr(GBytes) zip_form = make_form ("name=\"file\"; filename=\"course.zip\"", zip);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (zip_form, 0, g_bytes_get_size (zip_form) - 10);
  g_autoptr(Response) pdf = upload_to (f, IMPORTS_6606, NULL, pdf_form);
  g_autoptr(Response) other = upload_to (f, IMPORTS_6606, NULL, other_form);
  g_autoptr(Response) unclosed = upload_to (f, IMPORTS_6606, NULL, truncated);
  g_autoptr(Response) unknown = upload_to (f, "/d2l/api/le/1.79/import/424242/imports/", NULL,
                                           zip_form);
  g_autoptr(Response) forbidden = upload_to (f, "/d2l/api/le/1.79/import/777/imports/", NULL,
                                             zip_form);
  g_autofree char *raw_url = signed_url (f->sandbox, "POST", IMPORTS_6606);
  g_autoptr(Response) raw = request (f->session, "POST", raw_url, "application/zip", zip);
  g_autofree char *unsigned_url = g_strconcat (cd_sandbox_get_url (f->sandbox), IMPORTS_6606, NULL);
  g_autoptr(Response) anonymous = request (f->session, "POST", unsigned_url,
                                           "multipart/form-data; boundary=" BOUNDARY, zip_form);

  g_assert_cmpuint (pdf->status, ==, 400);
  g_assert_cmpuint (other->status, ==, 400);
  g_assert_cmpuint (unclosed->status, ==, 400);
  g_assert_cmpuint (raw->status, ==, 400);
  g_assert_cmpuint (unknown->status, ==, 404);
  g_assert_cmpuint (forbidden->status, ==, 403);
  g_assert_cmpstr (forbidden->body, !=, "Invalid token");
  assert_invalid_token (anonymous);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 0);
}

static void
test_upload_keep (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kept-XXXXXX", &error);
  g_autofree char *token = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *name = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_no_error (error);
  cd_sandbox_set_upload_dir (f->sandbox, dir);
  token = upload_zip (f, IMPORTS_6606);

  /* The whole body as received, named by the job token. */
  name = g_strdup_printf ("%s.zip", token);
  kept = g_build_filename (dir, name, NULL);
  g_file_get_contents (kept, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "--" BOUNDARY "\r\n"));
  g_assert_nonnull (g_strstr_len (contents, len, "PK\x03\x04"));

  g_assert_cmpint (g_unlink (kept), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_upload_chunked (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) zip = make_zip (100);
  g_autoptr(GBytes) form = make_form ("name=\"file\"; filename=\"course.zip\"", zip);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (form);
  g_autofree char *url = signed_url (f->sandbox, "POST", IMPORTS_6606);
  g_autoptr(Response) r = start_request (f->session, "POST", url,
                                         "multipart/form-data; boundary=" BOUNDARY, NULL, stream);

  wait_for (r);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, 411);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 0);
}

/* --- tests: import jobs ---------------------------------------------------------------- */

static char *
job_status (Fixture    *f,
            const char *org_unit,
            const char *token)
{
  g_autofree char *path = g_strdup_printf ("/d2l/api/le/1.79/import/%s/imports/%s", org_unit, token);
  g_autoptr(Response) r = signed_get (f, path);
  g_autoptr(JsonNode) root = parse_json (r);
  JsonObject *o = json_node_get_object (root);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "JobToken"), ==, token);
  g_assert_cmpint (json_object_get_int_member (o, "TargetOrgUnitId"), ==,
                   g_ascii_strtoll (org_unit, NULL, 10));
  return g_strdup (json_object_get_string_member (o, "Status"));
}

/* Polls until @final, returning the distinct statuses seen, in order. */
static GPtrArray *
walk_timeline (Fixture    *f,
               const char *org_unit,
               const char *token,
               const char *final)
{
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      char *status = job_status (f, org_unit, token);

      if (seen->len == 0 || g_strcmp0 (g_ptr_array_index (seen, seen->len - 1), status) != 0)
        g_ptr_array_add (seen, status);
      else
        g_free (status);

      if (g_strcmp0 (g_ptr_array_index (seen, seen->len - 1), final) == 0)
        break;
      sleep_ms (40);
    }

  return seen;
}

/* Fetches every page of a job's log; checks paging on the way. */
static GPtrArray *
all_logs (Fixture    *f,
          const char *org_unit,
          const char *token,
          guint      *pages)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autofree char *bookmark = NULL;
  gboolean more = TRUE;

  *pages = 0;
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/d2l/api/le/1.79/import/%s/imports/%s/logs/",
                                               org_unit, token);
      g_autofree char *query = bookmark ? g_strdup_printf ("bookmark=%s", bookmark) : NULL;
      g_autofree char *url = signed_url_full (f->sandbox, "GET", path, query, now_seconds (),
                                              CD_SANDBOX_DEFAULT_USER_KEY);
      g_autoptr(Response) r = get (f->session, url);
      g_autoptr(JsonNode) root = parse_json (r);
      JsonObject *paging = json_object_get_object_member (json_node_get_object (root), "PagingInfo");
      JsonArray *page = json_object_get_array_member (json_node_get_object (root), "Items");

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (++*pages, <, 50);
      more = json_object_get_boolean_member (paging, "HasMoreItems");
      g_free (bookmark);
      bookmark = g_strdup (json_object_get_string_member (paging, "Bookmark"));
      if (more)
        g_assert_cmpuint (json_array_get_length (page), >, 0);

      for (guint i = 0; i < json_array_get_length (page); i++)
        g_ptr_array_add (items, json_node_ref (json_array_get_element (page, i)));
    }

  return items;
}

static gboolean
logs_have_type (GPtrArray *items,
                gint64     type)
{
  for (guint i = 0; i < items->len; i++)
    if (json_object_get_int_member (json_node_get_object (g_ptr_array_index (items, i)),
                                    "TypeId") == type)
      return TRUE;
  return FALSE;
}

static void
test_job_timeline (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(Response) unknown = NULL;
  g_autoptr(Response) other = NULL;
  g_autofree char *other_path = NULL;
  guint pages;

  cd_sandbox_set_timeline (f->sandbox, FAST_TIMELINE, &error);
  g_assert_no_error (error);
  token = upload_zip (f, IMPORTS_6606);

  seen = walk_timeline (f, "6606", token, "COMPLETED");
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "UPLOADING");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "PROCESSING");
  g_assert_cmpstr (g_ptr_array_index (seen, 2), ==, "COMPLETED");

  logs = all_logs (f, "6606", token, &pages);
  g_assert_true (logs_have_type (logs, 0));
  g_assert_true (logs_have_type (logs, 1));
  g_assert_true (logs_have_type (logs, 2));
  g_assert_false (logs_have_type (logs, 4));

  unknown = signed_get (f, "/d2l/api/le/1.79/import/6606/imports/1");
  g_assert_cmpuint (unknown->status, ==, 404);
  other_path = g_strdup_printf ("/d2l/api/le/1.79/import/12345/imports/%s", token);
  other = signed_get (f, other_path);
  g_assert_cmpuint (other->status, ==, 404);
}

static void
test_job_failed (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *status_6606 = NULL;
  g_autofree char *token_6606 = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  guint pages;

  cd_sandbox_set_offering_timeline (f->sandbox, "12345=UPLOADING:0.1,PROCESSING:0.1,IMPORTFAILED",
                                    &error);
  g_assert_no_error (error);
  token = upload_zip (f, "/d2l/api/le/1.79/import/12345/imports/");
  token_6606 = upload_zip (f, IMPORTS_6606);

  seen = walk_timeline (f, "12345", token, "IMPORTFAILED");
  g_assert_cmpstr (g_ptr_array_index (seen, seen->len - 1), ==, "IMPORTFAILED");

  logs = all_logs (f, "12345", token, &pages);
  g_assert_true (logs_have_type (logs, 4));
  g_assert_true (logs_have_type (logs, 2));

  /* Other offerings keep the default (slow) timeline. */
  status_6606 = job_status (f, "6606", token_6606);
  g_assert_cmpstr (status_6606, ==, "UPLOADING");
}

static void
test_job_custom_statuses (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) seen = NULL;

  cd_sandbox_set_timeline (f->sandbox, "PROCESSING:0.1,READYTOIMPORTNATIVELY:0.1,SOMETHINGNEW:0.1,Timeout",
                           &error);
  g_assert_no_error (error);
  token = upload_zip (f, IMPORTS_6606);

  seen = walk_timeline (f, "6606", token, "Timeout");
  g_assert_cmpstr (g_ptr_array_index (seen, seen->len - 1), ==, "Timeout");
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "PROCESSING");
}

static void
test_logs_paging (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) paged = NULL;
  g_autoptr(GPtrArray) whole = NULL;
  g_autofree char *token = NULL;
  g_autofree char *bad_path = NULL;
  g_autofree char *bad_url = NULL;
  g_autofree char *no_slash = NULL;
  g_autoptr(Response) bad = NULL;
  g_autoptr(Response) slashless = NULL;
  guint pages;

  cd_sandbox_set_timeline (f->sandbox, "UPLOADING:0,PROCESSING:0,PROCESSED:0,IMPORTING:0,COMPLETED",
                           &error);
  g_assert_no_error (error);
  cd_sandbox_set_log_page_size (f->sandbox, 3);
  token = upload_zip (f, IMPORTS_6606);

  paged = all_logs (f, "6606", token, &pages);
  g_assert_cmpuint (paged->len, >=, 7);
  g_assert_cmpuint (pages, ==, (paged->len + 2) / 3);

  for (guint i = 0; i < paged->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (paged, i));
      gint64 *id = g_new (gint64, 1);

      *id = json_object_get_int_member (o, "LogId");
      g_assert_false (g_hash_table_contains (ids, id));
      g_hash_table_add (ids, id);
      g_assert_cmpint (json_object_get_int_member (o, "ConversionImportJobId"), ==,
                       g_ascii_strtoll (token, NULL, 10));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "LogDateTime"), "Z"));
      g_assert_cmpuint (strlen (json_object_get_string_member (o, "LogDateTime")), ==, 24);
      g_assert_cmpstr (json_object_get_string_member (o, "Message"), !=, "");
    }

  /* One big page holds exactly the same entries. */
  cd_sandbox_set_log_page_size (f->sandbox, 100);
  whole = all_logs (f, "6606", token, &pages);
  g_assert_cmpuint (pages, ==, 1);
  g_assert_cmpuint (whole->len, ==, paged->len);
  g_assert_cmpuint (g_hash_table_size (ids), ==, paged->len);

  bad_path = g_strdup_printf ("/d2l/api/le/1.79/import/6606/imports/%s/logs/", token);
  bad_url = signed_url_full (f->sandbox, "GET", bad_path, "bookmark=zzz", now_seconds (),
                             CD_SANDBOX_DEFAULT_USER_KEY);
  bad = get (f->session, bad_url);
  g_assert_cmpuint (bad->status, ==, 400);

  no_slash = g_strdup_printf ("/d2l/api/le/1.79/import/6606/imports/%s/logs", token);
  slashless = signed_get (f, no_slash);
  g_assert_cmpuint (slashless->status, ==, 200);
}

/* --- tests: faults -------------------------------------------------------------------- */

static void
test_fault_server_error (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *versions = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/", NULL);
  g_autoptr(Response) r1 = NULL;
  g_autoptr(Response) v = NULL;
  g_autoptr(Response) r2 = NULL;
  g_autoptr(Response) r3 = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SERVER_ERROR, 2, 0);
  r1 = signed_get (f, WHOAMI);
  v = get (f->session, versions);  /* never faulted, and does not use one up */
  r2 = signed_get (f, WHOAMI);
  r3 = signed_get (f, WHOAMI);

  g_assert_cmpuint (r1->status, ==, 500);
  g_assert_cmpuint (v->status, ==, 200);
  g_assert_cmpuint (r2->status, ==, 500);
  g_assert_cmpuint (r3->status, ==, 200);
}

static void
test_fault_rate_limit (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) r1 = NULL;
  g_autoptr(Response) r2 = NULL;
  g_autoptr(Response) r3 = NULL;

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_RATE_LIMIT, 1, 7);
  g_assert_true (cd_sandbox_parse_fault (f->sandbox, "429:1", &error));
  g_assert_no_error (error);

  r1 = signed_get (f, WHOAMI);
  r2 = signed_get (f, WHOAMI);
  r3 = signed_get (f, WHOAMI);
  g_assert_cmpuint (r1->status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (r1->headers, "Retry-After"), ==, "7");
  g_assert_cmpuint (r2->status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (r2->headers, "Retry-After"), ==, "1");
  g_assert_cmpuint (r3->status, ==, 200);
}

static void
test_fault_broken_json (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) r = NULL;

  g_assert_true (cd_sandbox_parse_fault (f->sandbox, "badjson:1", NULL));
  r = signed_get (f, WHOAMI);

  g_assert_cmpuint (r->status, ==, 200);
  assert_content_type (r, "application/json; charset=utf-8");
  g_assert_true (g_str_has_prefix (r->body, "{\""));
  g_assert_false (json_parser_load_from_data (parser, r->body, r->len, &error));
  g_assert_nonnull (error);
}

static void
test_fault_slow (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *slow_url = signed_url (f->sandbox, "GET", WHOAMI);
  g_autofree char *fast_url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/", NULL);
  g_autoptr(SoupSession) other = new_session (NULL);
  g_autoptr(Response) slow = NULL;
  g_autoptr(Response) fast = NULL;
  gint64 start = g_get_monotonic_time ();

  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_SLOW, 1, 600);
  slow = start_request (f->session, "GET", slow_url, NULL, NULL, NULL);
  sleep_ms (50);
  fast = start_request (other, "GET", fast_url, NULL, NULL, NULL);
  wait_for (slow);
  wait_for (fast);

  g_assert_cmpuint (slow->status, ==, 200);
  g_assert_cmpuint (fast->status, ==, 200);
  g_assert_cmpint (slow->finished - start, >=, 550 * 1000);
  /* The server kept serving while the slow reply waited. */
  g_assert_cmpint (fast->finished, <, slow->finished - 300 * 1000);
}

static void
test_fault_cut_upload (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) zip = make_zip (256 * 1024);
  g_autoptr(GBytes) form = make_form ("name=\"file\"; filename=\"big.zip\"", zip);
  g_autoptr(Response) cut = NULL;
  g_autoptr(Response) ok = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cd_sandbox_parse_fault (f->sandbox, "cut-upload:1", &error));
  g_assert_no_error (error);

  cut = upload_to (f, IMPORTS_6606, NULL, form);
  g_assert_nonnull (cut->error);
  g_test_message ("cut upload: %s", cut->error->message);
  g_assert_cmpuint (cut->status, ==, 0);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 0);

  /* Only the next upload was cut. */
  g_clear_object (&f->session);
  f->session = new_session (NULL);
  ok = upload_to (f, IMPORTS_6606, NULL, form);
  g_assert_no_error (ok->error);
  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *stats_url = g_strconcat (cd_sandbox_get_url (f->sandbox), "/_sandbox/stats", NULL);
  g_autoptr(Response) a = signed_get (f, WHOAMI);
  g_autoptr(Response) b = signed_get (f, "/d2l/api/lp/1.46/courses/99999");
  g_autoptr(Response) s1 = get (f->session, stats_url);
  g_autoptr(Response) s2 = get (f->session, stats_url);
  g_autoptr(JsonNode) root = parse_json (s2);
  JsonObject *o = json_node_get_object (root);

  g_assert_cmpstr (s1->body, ==, s2->body);
  g_assert_cmpint (json_object_get_int_member (o, "requests"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "uploads"), ==, 0);
  g_assert_cmpuint (cd_sandbox_get_request_count (f->sandbox), ==, 2);
}

/* The reader sees the body in whatever chunks the network gives: split it
 * at every offset (and byte by byte) and expect the same answer. */
static void
test_multipart_chunks (void)
{
  static const char head[] =
    "preamble\r\n"
    "--" BOUNDARY "\r\n"
    "Content-Disposition: form-data; name=\"course\"\r\n"
    "\r\n"
    "6606\r\n"
    "--" BOUNDARY " \r\n"  /* transport padding */
    "Content-Disposition: form-data; name=\"file\"; filename=\"a\\\"b.zip\"\r\n"
    "Content-Type: application/zip\r\n"
    "\r\n";
  static const char tail[] = "\r\n--" BOUNDARY "--\r\nepilogue";
  g_autoptr(GBytes) zip = make_zip (300);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, zip);
  g_autoptr(GByteArray) body = g_byte_array_new ();

  /* A text field before the file, as a form would send. */
  g_byte_array_append (body, (const guint8 *)head, sizeof head - 1);
  g_byte_array_append (body, g_bytes_get_data (zip, NULL), g_bytes_get_size (zip));
  g_byte_array_append (body, (const guint8 *)tail, sizeof tail - 1);

  for (gsize split = 0; split <= body->len; split++)
    {
      g_autoptr(CdSandboxMultipart) parser = _cd_sandbox_multipart_new (BOUNDARY, "file");
      g_autoptr(GError) error = NULL;

      if (split == body->len)
        {
          for (gsize i = 0; i < body->len; i++)
            _cd_sandbox_multipart_feed (parser, body->data + i, 1);
        }
      else
        {
          _cd_sandbox_multipart_feed (parser, body->data, split);
          _cd_sandbox_multipart_feed (parser, body->data + split, body->len - split);
        }

      g_assert_true (_cd_sandbox_multipart_finish (parser, &error));
      g_assert_no_error (error);
      g_assert_true (_cd_sandbox_multipart_found (parser));
      g_assert_cmpstr (_cd_sandbox_multipart_get_filename (parser), ==, "a\"b.zip");
      g_assert_cmpint (_cd_sandbox_multipart_get_size (parser), ==, g_bytes_get_size (zip));
      g_assert_cmpstr (_cd_sandbox_multipart_get_sha256 (parser), ==, sha);
    }
}

/* Hostile answers, as the client tests (test-hostile.c) rely on them. */
static void
test_fault_hostile (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const good[] = {
    "deep:1", "deep:1:400", "huge:1", "huge:1:2", "silent:1", "drip:1:50", "badtime:1",
    "badtime:1:5", "no-answer:1", "cut-answer:1", "slow-answer:1:10", "slow-read:1",
    "slow-read:1:64", "evil:1",
  };
  static const char * const bad[] = {
    "deep:0", "drip:1", "slow-answer:1", "huge:x", "evil", "silent:1:2", "badtime:1:-5",
  };
  g_autoptr(Response) deep = NULL;
  g_autoptr(Response) deep_versions = NULL;
  g_autoptr(Response) bad_time = NULL;
  g_autoptr(Response) answer = NULL;
  g_autoptr(Response) normal = NULL;
  g_autofree char *versions = g_strconcat (cd_sandbox_get_url (f->sandbox), "/d2l/api/versions/",
                                           NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (cd_sandbox_parse_fault (f->sandbox, bad[i], NULL));

  /* Hostile faults apply to the version list too, in order. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_DEEP_JSON, 2, 0);
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_BAD_TIME, 1, 0);
  cd_sandbox_add_answer (f->sandbox, 1, 418, "{\"x\": 1}");

  deep_versions = get (f->session, versions);
  g_assert_cmpuint (deep_versions->status, ==, 200);
  g_assert_cmpuint (deep_versions->len, ==, 200000);
  g_assert_true (g_str_has_prefix (deep_versions->body, "[[[[") &&
                 g_str_has_suffix (deep_versions->body, "]]]]"));

  deep = signed_get (f, "/d2l/api/lp/1.46/users/whoami");
  g_assert_cmpuint (deep->len, ==, 200000);

  bad_time = signed_get (f, "/d2l/api/lp/1.46/users/whoami");
  g_assert_cmpuint (bad_time->status, ==, 403);
  g_assert_cmpstr (bad_time->body, ==, "Timestamp out of range 9223372036854775807");

  answer = signed_get (f, "/d2l/api/lp/1.46/users/whoami");
  g_assert_cmpuint (answer->status, ==, 418);
  g_assert_cmpstr (answer->body, ==, "{\"x\": 1}");

  normal = get (f->session, versions);
  g_assert_cmpuint (normal->status, ==, 200);
  g_assert_nonnull (strstr (normal->body, "ProductCode"));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (cd_sandbox_parse_fault (f->sandbox, good[i], &error));
      g_assert_no_error (error);
    }
}

/* --- tests: configuration and TLS --------------------------------------------------------- */

static void
test_config_errors (void)
{
  g_autoptr(CdSandbox) sandbox = cd_sandbox_new ();
  const char *bad_timelines[] = { "", "A:1", "A:x,B", "A,B", "A:-1,B", "A:1,B:2", ",B" };
  const char *bad_faults[] = { "", "500", "500:0", "429:1:x", "slow:1", "cut-upload:x", "boom:1" };
  const char *bad_offerings[] = { "6606", "x:Name", "0:Name", "6606:", "6606:Name;" };
  g_auto(GStrv) offerings = NULL;
  g_autofree char *timeline = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_timelines); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cd_sandbox_set_timeline (sandbox, bad_timelines[i], &error));
      g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_faults); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cd_sandbox_parse_fault (sandbox, bad_faults[i], &error));
      g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_offerings); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cd_sandbox_add_offering (sandbox, bad_offerings[i], &error));
      g_assert_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT);
    }
  g_assert_false (cd_sandbox_set_offering_timeline (sandbox, "x=A:1,B", NULL));
  g_assert_false (cd_sandbox_set_offering_timeline (sandbox, "6606=A,B", NULL));

  /* The first offering replaces the defaults. */
  g_assert_true (cd_sandbox_add_offering (sandbox, "42:Physics", NULL));
  g_assert_true (cd_sandbox_add_offering (sandbox, "7:Art; History;ART1", NULL));
  offerings = cd_sandbox_dup_offerings (sandbox);
  g_assert_cmpuint (g_strv_length (offerings), ==, 2);
  g_assert_cmpstr (offerings[0], ==, "7:Art; History;ART1");
  g_assert_cmpstr (offerings[1], ==, "42:Physics");

  g_assert_true (cd_sandbox_set_timeline (sandbox, " A:0.5 , B ", NULL));
  timeline = cd_sandbox_dup_timeline (sandbox);
  g_assert_cmpstr (timeline, ==, "A:0.5,B");
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdSandbox) sandbox = cd_sandbox_new ();
  g_autofree char *dir = g_dir_make_tmp ("test-sandbox-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "sandbox.pem", NULL);
  g_autofree char *pem = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) trusting = NULL;
  g_autoptr(SoupSession) plain = NULL;
  g_autoptr(Response) ok = NULL;
  g_autoptr(Response) refused = NULL;

  g_assert_no_error (error);
  cd_sandbox_listen (sandbox, 0, TRUE, cert, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cd_sandbox_get_url (sandbox), "https://127.0.0.1:"));

  g_file_get_contents (cert, &pem, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----"));
  g_assert_null (strstr (pem, "PRIVATE KEY"));

  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  url = g_strconcat (cd_sandbox_get_url (sandbox), "/d2l/api/versions/", NULL);

  trusting = new_session (database);
  ok = get (trusting, url);
  g_assert_no_error (ok->error);
  g_assert_cmpuint (ok->status, ==, 200);

  plain = new_session (NULL);
  refused = get (plain, url);
  g_assert_nonnull (refused->error);
  g_test_message ("untrusted certificate: %s", refused->error->message);
  g_assert_true (refused->error->domain == G_TLS_ERROR);

  g_clear_object (&trusting);
  g_clear_object (&plain);
  g_clear_object (&sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_unlink (cert);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  char tmp[] = "/tmp/test-sandbox-XXXXXX";
  int ret;

  /* A TMPDIR of our own, before GLib caches one, so the fixture can check
   * that no upload temp file is left behind. */
  if (mkdtemp (tmp) == NULL)
    g_error ("mkdtemp: %s", g_strerror (errno));
  g_setenv ("TMPDIR", tmp, TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sandbox/versions/anonymous", test_versions);
  ADD ("/sandbox/auth/whoami", test_whoami);
  ADD ("/sandbox/auth/encoded-path", test_encoded_path);
  ADD ("/sandbox/auth/missing", test_auth_missing);
  ADD ("/sandbox/auth/wrong-key", test_auth_wrong_key);
  ADD ("/sandbox/auth/stale-timestamp", test_auth_stale);
  ADD ("/sandbox/course/lookup", test_course);
  ADD ("/sandbox/course/unsupported-version", test_unsupported_version);
  ADD ("/sandbox/upload/zip", test_upload_zip);
  ADD ("/sandbox/upload/filenames", test_upload_filenames);
  ADD ("/sandbox/upload/rejected", test_upload_rejected);
  ADD ("/sandbox/upload/keep", test_upload_keep);
  ADD ("/sandbox/upload/chunked", test_upload_chunked);
  ADD ("/sandbox/job/timeline", test_job_timeline);
  ADD ("/sandbox/job/failed", test_job_failed);
  ADD ("/sandbox/job/custom-statuses", test_job_custom_statuses);
  ADD ("/sandbox/job/logs-paging", test_logs_paging);
  ADD ("/sandbox/fault/server-error", test_fault_server_error);
  ADD ("/sandbox/fault/rate-limit", test_fault_rate_limit);
  ADD ("/sandbox/fault/broken-json", test_fault_broken_json);
  ADD ("/sandbox/fault/slow", test_fault_slow);
  ADD ("/sandbox/fault/cut-upload", test_fault_cut_upload);
  ADD ("/sandbox/fault/hostile", test_fault_hostile);
  ADD ("/sandbox/stats", test_stats);
#undef ADD
  g_test_add_func ("/sandbox/config/errors", test_config_errors);
  g_test_add_func ("/sandbox/multipart/chunks", test_multipart_chunks);
  g_test_add_func ("/sandbox/tls", test_tls);

  ret = g_test_run ();

  assert_no_temp_files ();
  g_rmdir (tmp);
  return ret;
}
