/* test-idkey.c: the signer against every case in idkey-vectors.json
 *
 * The vectors were produced by running D2L's official SDKs.  C-cases must
 * be byte-identical to the Python SDK's URLs, redirects byte-identical, and
 * the edge cases (where the SDKs disagree) equal to the .NET SDK's values,
 * whose decode-then-lowercase order we follow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>

#include "cd-idkey.h"

static JsonObject *vectors;

static const char *
input (const char *name)
{
  return json_object_get_string_member (json_object_get_object_member (vectors, "inputs"), name);
}

static CdIdKeyContext *
make_context (gboolean anonymous)
{
  return cd_idkey_context_new (input ("app_id"), input ("app_key"),
                               anonymous ? NULL : input ("user_id"),
                               anonymous ? NULL : input ("user_key"));
}

static char *
base_url (JsonObject *vector)
{
  return g_strdup_printf ("%s://%s",
                          json_object_get_string_member (vector, "scheme"),
                          json_object_get_string_member (vector, "host"));
}

/* Returns the value of @name in @query ("a=1&b=2"). */
static char *
query_value (const char *url,
             const char *name)
{
  g_autoptr(GHashTable) params = NULL;
  const char *query = strchr (url, '?');

  g_assert_nonnull (query);
  params = g_uri_parse_params (query + 1, -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (params);

  return g_strdup (g_hash_table_lookup (params, name));
}

static void
test_requests (void)
{
  JsonArray *requests = json_object_get_array_member (vectors, "requests");
  guint n_plain = 0, n_edge = 0;

  g_assert_cmpuint (json_array_get_length (requests), >=, 14);

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *v = json_array_get_object_element (requests, i);
      const char *id = json_object_get_string_member (v, "id");
      const char *method = json_object_get_string_member (v, "method");
      const char *path = json_object_get_string_member (v, "path");
      gint64 ts = json_object_get_int_member (v, "timestamp");
      gboolean anonymous = json_object_get_boolean_member (v, "anonymous");
      g_autoptr(CdIdKeyContext) ctx = make_context (anonymous);
      g_autofree char *base = base_url (v);
      g_autofree char *url = cd_idkey_context_build_url (ctx, base, method, path, ts);
      g_autofree char *x_c = query_value (url, "x_c");
      g_autofree char *x_d = query_value (url, "x_d");

      g_test_message ("%s: %s", id, url);

      if (json_object_get_boolean_member (v, "edge_case"))
        {
          /* Where the SDKs disagree we match .NET (decode, then lowercase). */
          JsonObject *dotnet = json_object_get_object_member (
            json_object_get_object_member (json_object_get_object_member (v, "cross_sdk"), "values"),
            "dotnet");

          g_assert_cmpstr (x_c, ==, json_object_get_string_member (dotnet, "x_c"));
          g_assert_cmpstr (x_d, ==, json_object_get_string_member (dotnet, "x_d"));
          n_edge++;
        }
      else
        {
          g_autofree char *base_string = cd_idkey_base_string (method, path, ts);

          g_assert_cmpstr (base_string, ==, json_object_get_string_member (v, "base_string"));
          g_assert_cmpstr (x_c, ==, json_object_get_string_member (v, "x_c"));
          g_assert_cmpstr (x_d, ==, json_object_get_string_member (v, "x_d"));
          g_assert_cmpstr (url, ==, json_object_get_string_member (v, "url"));
          g_assert_cmpuint (strlen (x_c), ==, 43);
          n_plain++;
        }
    }

  g_assert_cmpuint (n_plain, ==, 10);
  g_assert_cmpuint (n_edge, ==, 4);
}

static void
test_redirects (void)
{
  JsonArray *redirects = json_object_get_array_member (vectors, "redirects");

  g_assert_cmpuint (json_array_get_length (redirects), ==, 4);

  for (guint i = 0; i < json_array_get_length (redirects); i++)
    {
      JsonObject *v = json_array_get_object_element (redirects, i);
      g_autofree char *base = base_url (v);
      const char *target = json_object_get_string_member (v, "x_target");
      gboolean mobile = !json_object_get_null_member (v, "connect_type");
      g_autofree char *url = cd_idkey_build_auth_url (base, input ("app_id"), input ("app_key"),
                                                      target, mobile);
      g_autofree char *x_b = cd_idkey_sign (input ("app_key"), target);

      g_assert_cmpstr (json_object_get_string_member (v, "signed_string"), ==, target);
      g_assert_cmpstr (x_b, ==, json_object_get_string_member (v, "x_b"));
      g_assert_cmpstr (url, ==, json_object_get_string_member (v, "url"));
    }
}

static void
test_official_vectors (void)
{
  JsonArray *official = json_object_get_array_member (vectors, "official_test_vectors");

  g_assert_cmpuint (json_array_get_length (official), ==, 9);

  for (guint i = 0; i < json_array_get_length (official); i++)
    {
      JsonObject *v = json_array_get_object_element (official, i);
      g_autofree char *sig = cd_idkey_sign (json_object_get_string_member (v, "key"),
                                            json_object_get_string_member (v, "data"));

      g_assert_cmpstr (sig, ==, json_object_get_string_member (v, "expected"));
    }
}

/* The JS SDK's own spec: caller query kept, signature over the path only. */
static void
test_cross_sdk_js (void)
{
  JsonObject *js = json_object_get_object_member (
    json_object_get_object_member (vectors, "cross_sdk_official"), "js");
  JsonObject *spec = json_object_get_object_member (js, "createAuthenticatedUrl_spec");
  g_autoptr(CdIdKeyContext) ctx = cd_idkey_context_new ("foo", "bar", "baz", "quux");
  g_autofree char *url = cd_idkey_context_build_url (ctx, "http://somelms.edu", "GET",
                                                     "/d2l/api/lp/1.0/users/whoami?abc=xyz",
                                                     1397958932);
  g_autofree char *x_c = query_value (url, "x_c");
  g_autofree char *x_d = query_value (url, "x_d");
  g_autofree char *abc = query_value (url, "abc");

  g_assert_cmpstr (x_c, ==, json_object_get_string_member (spec, "x_c"));
  g_assert_cmpstr (x_d, ==, json_object_get_string_member (spec, "x_d"));
  g_assert_cmpstr (abc, ==, "xyz");
  g_assert_true (g_str_has_prefix (url, "http://somelms.edu/d2l/api/lp/1.0/users/whoami?abc=xyz&"));
}

static void
test_dotnet_escaping (void)
{
  /* .NET's Ignores_URI_Escaping: a space and %20 sign the same. */
  g_autofree char *a = cd_idkey_base_string ("GET", "/d2l/api/this is a test", 1234567);
  g_autofree char *b = cd_idkey_base_string ("GET", "/d2l/api/this%20is%20a%20test", 1234567);
  g_autofree char *c = cd_idkey_base_string ("GET", "/d2l/api/this+is+a+test", 1234567);

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, ==, c);
  g_assert_cmpstr (a, ==, "GET&/d2l/api/this is a test&1234567");
}

static void
test_canonical_path (void)
{
  struct { const char *in, *out; } cases[] = {
    { "/d2l/api/lp/1.43/Users/WhoAmI", "/d2l/api/lp/1.43/users/whoami" },
    { "/A/b?Query=X#Frag", "/a/b" },
    { "/a#frag?x", "/a" },
    { "/x/", "/x/" },
    { "/x", "/x" },
    { "/bad%zz/a%2", "/bad%zz/a%2" },   /* malformed escapes kept */
    { "/nul%00/", "/nul%00/" },         /* never decode to NUL */
    { "/%C3%89t%C3%A9/", "/été/" },
    { "/%FF/", "/\xff/" },              /* invalid UTF-8: bytes kept, ASCII lowered */
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = cd_idkey_canonical_path (cases[i].in);
      g_assert_cmpstr (path, ==, cases[i].out);
    }
}

static void
test_timestamp_errors (void)
{
  JsonObject *cross = json_object_get_object_member (vectors, "cross_sdk_official");
  JsonObject *dotnet = json_object_get_object_member (cross, "dotnet");
  JsonObject *java = json_object_get_object_member (cross, "java");
  gint64 t = 0;

  g_assert_true (cd_idkey_parse_timestamp_error ("Timestamp out of range\n1491960561", &t));
  g_assert_cmpint (t, ==, json_object_get_int_member (dotnet, "TimestampParser[Timestamp out of range\\n1491960561]"));
  g_assert_cmpint (t, ==, json_object_get_int_member (java, "TimestampParser_LF"));

  g_assert_true (cd_idkey_parse_timestamp_error ("Timestamp out of range\r\n1319554666\r\n", &t));
  g_assert_cmpint (t, ==, json_object_get_int_member (dotnet, "TimestampParser[Timestamp out of range\\r\\n1319554666\\r\\n]"));

  g_assert_true (cd_idkey_parse_timestamp_error ("Timestamp out of range\n1700000000  \n\t", &t));
  g_assert_cmpint (t, ==, 1700000000);

  g_assert_false (json_object_get_boolean_member (dotnet, "TimestampParser[Timestamp out of range\\r\\n]"));
  g_assert_false (cd_idkey_parse_timestamp_error ("Timestamp out of range\r\n", NULL));
  g_assert_false (cd_idkey_parse_timestamp_error ("Invalid token", NULL));
  g_assert_false (cd_idkey_parse_timestamp_error ("", NULL));
  g_assert_false (cd_idkey_parse_timestamp_error (NULL, NULL));
  g_assert_false (cd_idkey_parse_timestamp_error ("Timestamp out of range\n99999999999999999999999", NULL));
}

/* "Timestamp out of range 9223372036854775807" parses, but no skew comes of
 * it: the arithmetic must not overflow, and the clock is refused. */
static void
test_absurd_server_time (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(CdIdKeyContext) ctx = make_context (FALSE);
  gint64 t = 0, skew = 42;

  g_assert_true (cd_idkey_parse_timestamp_error ("Timestamp out of range 9223372036854775807", &t));
  g_assert_cmpint (t, ==, G_MAXINT64);
  g_assert_false (cd_idkey_skew_from_server_time (t, now, &skew));
  g_assert_cmpint (skew, ==, 42);

  g_assert_false (cd_idkey_skew_from_server_time (0, now, NULL));
  g_assert_false (cd_idkey_skew_from_server_time (G_MININT64, now, NULL));
  g_assert_false (cd_idkey_skew_from_server_time (G_MAXINT64, G_MININT64, NULL));
  g_assert_false (cd_idkey_skew_from_server_time (G_MININT64, G_MAXINT64, NULL));
  g_assert_false (cd_idkey_skew_from_server_time (now + CD_IDKEY_MAX_SKEW + 1, now, NULL));
  g_assert_false (cd_idkey_skew_from_server_time (now - CD_IDKEY_MAX_SKEW - 1, now, NULL));

  /* Real skews, even years of them, are fine. */
  g_assert_true (cd_idkey_skew_from_server_time (now + 907, now, &skew));
  g_assert_cmpint (skew, ==, 907);
  g_assert_true (cd_idkey_skew_from_server_time (now - CD_IDKEY_MAX_SKEW, now, &skew));
  g_assert_cmpint (skew, ==, -CD_IDKEY_MAX_SKEW);
  g_assert_true (cd_idkey_skew_from_server_time (now + CD_IDKEY_MAX_SKEW, now, &skew));
  g_assert_cmpint (skew, ==, CD_IDKEY_MAX_SKEW);

  /* A context never holds a skew that could overflow its clock. */
  cd_idkey_context_set_skew (ctx, G_MAXINT64);
  g_assert_cmpint (cd_idkey_context_get_skew (ctx), ==, CD_IDKEY_MAX_SKEW);
  g_assert_cmpint (cd_idkey_context_now (ctx), >, now);
  cd_idkey_context_set_skew (ctx, G_MININT64);
  g_assert_cmpint (cd_idkey_context_get_skew (ctx), ==, -CD_IDKEY_MAX_SKEW);
  g_assert_cmpint (cd_idkey_context_now (ctx), >, 0);
}

static void
test_skew (void)
{
  JsonObject *skew = json_object_get_object_member (vectors, "skew_example");
  JsonObject *php = json_object_get_object_member (
    json_object_get_object_member (vectors, "cross_sdk_official"), "php");
  g_autoptr(CdIdKeyContext) ctx = make_context (FALSE);
  gint64 skew_s = json_object_get_int_member (skew, "server_skew_ms") / 1000;
  g_autofree char *url = NULL;
  gint64 before, now;

  g_assert_cmpint (skew_s, ==, json_object_get_int_member (php, "calculateServerSkewFromResponse_LF"));

  cd_idkey_context_set_skew (ctx, skew_s);
  g_assert_cmpint (cd_idkey_context_get_skew (ctx), ==, 907);

  url = cd_idkey_context_build_url (ctx, "https://lms.example.edu", "GET",
                                    "/d2l/api/lp/1.43/users/whoami",
                                    json_object_get_int_member (skew, "local_time") + skew_s);
  g_assert_cmpstr (url, ==, json_object_get_string_member (skew, "url"));

  before = g_get_real_time () / G_USEC_PER_SEC;
  now = cd_idkey_context_now (ctx);
  g_assert_cmpint (now - before, >=, 907);
  g_assert_cmpint (now - before, <=, 908);
}

static void
test_callback (void)
{
  JsonObject *callback = json_object_get_object_member (vectors, "callback");
  JsonObject *parsed = json_object_get_object_member (callback, "sdk_parsed");
  g_autofree char *user_id = NULL;
  g_autofree char *user_key = NULL;
  struct { const char *uri; int code; } bad[] = {
    { "http://localhost:8765/callback", CD_IDKEY_ERROR_MISSING_USER_ID },
    { "http://localhost:8765/callback?x_b=key", CD_IDKEY_ERROR_MISSING_USER_ID },
    { "http://localhost:8765/callback?x_a=&x_b=key", CD_IDKEY_ERROR_MISSING_USER_ID },
    { "http://localhost:8765/callback?x_a=42", CD_IDKEY_ERROR_MISSING_USER_KEY },
    { "http://localhost:8765/callback?x_a=42&x_b=", CD_IDKEY_ERROR_MISSING_USER_KEY },
    { "http://localhost:8765/callback?x_a=%zz&x_b=k", CD_IDKEY_ERROR_INVALID_URL },
  };

  g_assert_true (cd_idkey_parse_callback (json_object_get_string_member (callback, "result_uri"),
                                          &user_id, &user_key, NULL));
  g_assert_cmpstr (user_id, ==, json_object_get_string_member (parsed, "user_id"));
  g_assert_cmpstr (user_key, ==, json_object_get_string_member (parsed, "user_key"));
  g_clear_pointer (&user_id, g_free);
  g_clear_pointer (&user_key, g_free);

  /* Just the query, escapes decoded, fragment ignored. */
  g_assert_true (cd_idkey_parse_callback ("x_a=42&x_b=a%2Bb+c#x_b=no", &user_id, &user_key, NULL));
  g_assert_cmpstr (user_id, ==, "42");
  g_assert_cmpstr (user_key, ==, "a+b c");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *id = NULL;
      g_autofree char *key = NULL;

      g_assert_false (cd_idkey_parse_callback (bad[i].uri, &id, &key, &error));
      g_assert_error (error, CD_IDKEY_ERROR, bad[i].code);
      g_assert_null (id);
      g_assert_null (key);
    }
}

static void
test_signature_equal (void)
{
  g_assert_true (cd_idkey_signature_equal ("abc", "abc"));
  g_assert_false (cd_idkey_signature_equal ("abc", "abd"));
  g_assert_false (cd_idkey_signature_equal ("abc", "ab"));
  g_assert_false (cd_idkey_signature_equal ("", "a"));
  g_assert_true (cd_idkey_signature_equal ("", ""));
  g_assert_false (cd_idkey_signature_equal (NULL, "a"));
}

static void
test_redact (void)
{
  g_autofree char *a = cd_idkey_redact ("GET /d2l/api/x?bookmark=2&x_a=app&x_c=sig&x_b=u&x_d=s&x_t=17 → 200");
  g_autofree char *b = cd_idkey_redact ("/d2l/auth/api/token?x_a=a&x_b=b&x_target=http%3A%2F%2Fh");
  g_autofree char *c = cd_idkey_redact ("no secrets; max_a=1");

  g_assert_cmpstr (a, ==, "GET /d2l/api/x?bookmark=2&x_a=REDACTED&x_c=REDACTED&x_b=REDACTED&x_d=REDACTED&x_t=REDACTED → 200");
  g_assert_cmpstr (b, ==, "/d2l/auth/api/token?x_a=REDACTED&x_b=REDACTED&x_target=REDACTED");
  g_assert_cmpstr (c, ==, "no secrets; max_a=1");
}

static void
test_context (void)
{
  g_autoptr(CdIdKeyContext) ctx = make_context (FALSE);
  g_autoptr(CdIdKeyContext) copy = NULL;
  g_autoptr(CdIdKeyContext) anon = make_context (TRUE);

  cd_idkey_context_set_skew (ctx, -5);
  copy = cd_idkey_context_copy (ctx);
  g_assert_cmpint (cd_idkey_context_get_skew (copy), ==, -5);
  g_assert_cmpstr (cd_idkey_context_get_user_id (copy), ==, input ("user_id"));
  g_assert_false (cd_idkey_context_is_anonymous (copy));
  g_assert_true (cd_idkey_context_is_anonymous (anon));
  g_assert_true (G_TYPE_IS_BOXED (CD_TYPE_IDKEY_CONTEXT));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  path = g_test_build_filename (G_TEST_DIST, "data", "idkey-vectors.json", NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  vectors = json_node_get_object (json_parser_get_root (parser));

  g_test_add_func ("/idkey/vectors/requests", test_requests);
  g_test_add_func ("/idkey/vectors/redirects", test_redirects);
  g_test_add_func ("/idkey/vectors/official", test_official_vectors);
  g_test_add_func ("/idkey/vectors/cross-sdk-js", test_cross_sdk_js);
  g_test_add_func ("/idkey/vectors/dotnet-escaping", test_dotnet_escaping);
  g_test_add_func ("/idkey/vectors/timestamp-errors", test_timestamp_errors);
  g_test_add_func ("/idkey/vectors/skew", test_skew);
  g_test_add_func ("/idkey/absurd-server-time", test_absurd_server_time);
  g_test_add_func ("/idkey/vectors/callback", test_callback);
  g_test_add_func ("/idkey/canonical-path", test_canonical_path);
  g_test_add_func ("/idkey/signature-equal", test_signature_equal);
  g_test_add_func ("/idkey/redact", test_redact);
  g_test_add_func ("/idkey/context", test_context);

  return g_test_run ();
}
