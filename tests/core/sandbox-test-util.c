/* sandbox-test-util.c: HTTP requests, signed URLs, packages and the
 * fixture shared by the sandbox tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd-idkey.h"

#include "sandbox-test-util.h"

void
response_free (Response *r)
{
  g_free (r->body);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_error (&r->error);
  g_free (r);
}

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
Response *
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

void
wait_for (Response *r)
{
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

Response *
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

Response *
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

void
sleep_ms (guint ms)
{
  gboolean fired = FALSE;

  g_timeout_add (ms, timeout_cb, &fired);
  while (!fired)
    g_main_context_iteration (NULL, TRUE);
}

gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

char *
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

char *
signed_url (CdSandbox  *sandbox,
            const char *method,
            const char *path)
{
  return signed_url_full (sandbox, method, path, NULL, now_seconds (),
                          CD_SANDBOX_DEFAULT_USER_KEY);
}

Response *
signed_get (Fixture    *f,
            const char *path)
{
  g_autofree char *url = signed_url (f->sandbox, "GET", path);

  return get (f->session, url);
}

JsonNode *
parse_json (Response *r)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_no_error (r->error);
  json_parser_load_from_data (parser, r->body, r->len, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

void
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
GBytes *
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

/* A form with one part, its Content-Disposition parameters given raw, so
 * the test controls the exact file name encoding on the wire. */
GBytes *
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

Response *
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
char *
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

JsonArray *
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
SoupSession *
new_session (GTlsDatabase *database)
{
  return soup_session_new_with_options ("proxy-resolver", NULL,
                                        "tls-database", database,
                                        "timeout", 10,
                                        NULL);
}

/* Uploads are streamed to temp files; none may survive its request. */
void
assert_no_temp_files (void)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "coursedrop-upload-"));
}

/* --- fixture -------------------------------------------------------------------- */

void
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

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_assert_finalize_object (f->sandbox);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_no_temp_files ();
}

void
assert_invalid_token (Response *r)
{
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, 403);
  g_assert_cmpstr (r->body, ==, "Invalid token");
  assert_content_type (r, "text/html; charset=utf-8");
}

/* A TMPDIR of our own, before GLib caches one, so the fixture can check
 * that no upload temp file is left behind.  Returns the directory for
 * sandbox_test_finish(). */
char *
sandbox_test_init (int    *argc,
                   char ***argv)
{
  char *tmp = g_strdup ("/tmp/test-sandbox-XXXXXX");

  if (mkdtemp (tmp) == NULL)
    g_error ("mkdtemp: %s", g_strerror (errno));
  g_setenv ("TMPDIR", tmp, TRUE);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  return tmp;
}

int
sandbox_test_finish (char *tmp,
                     int   ret)
{
  assert_no_temp_files ();
  g_rmdir (tmp);
  g_free (tmp);
  return ret;
}
