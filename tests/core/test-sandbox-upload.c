/* test-sandbox-upload.c: the sandbox's package uploads: multipart forms, file names,
 * rejected and kept uploads, chunked bodies, and the multipart reader
 * fed in arbitrary chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "cd-sandbox-multipart.h"

#include "sandbox-test-util.h"

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

int
main (int   argc,
      char *argv[])
{
  char *tmp = sandbox_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sandbox/upload/zip", test_upload_zip);
  ADD ("/sandbox/upload/filenames", test_upload_filenames);
  ADD ("/sandbox/upload/rejected", test_upload_rejected);
  ADD ("/sandbox/upload/keep", test_upload_keep);
  ADD ("/sandbox/upload/chunked", test_upload_chunked);
#undef ADD
  g_test_add_func ("/sandbox/multipart/chunks", test_multipart_chunks);

  return sandbox_test_finish (tmp, g_test_run ());
}
