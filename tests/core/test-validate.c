/* test-validate.c: the shared rules for IDs, tokens, versions, hours, and
 * the JSON depth limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <gio/gio.h>

#include "cd-json.h"
#include "cd-validate.h"

static void
test_offering_id (void)
{
  const struct { const char *text; gint64 id; int code; } cases[] = {
    { "6606", 6606, -1 },
    { "  6606\t", 6606, -1 },
    { "9223372036854775807", G_MAXINT64, -1 },
    { "", 0, CD_VALIDATE_ERROR_EMPTY },
    { "   ", 0, CD_VALIDATE_ERROR_EMPTY },
    { NULL, 0, CD_VALIDATE_ERROR_EMPTY },
    { "0", 0, CD_VALIDATE_ERROR_RANGE },
    { "9223372036854775808", 0, CD_VALIDATE_ERROR_RANGE },
    { "-1", 0, CD_VALIDATE_ERROR_INVALID },
    { "+5", 0, CD_VALIDATE_ERROR_INVALID },
    { "66 06", 0, CD_VALIDATE_ERROR_INVALID },
    { "0x10", 0, CD_VALIDATE_ERROR_INVALID },
    { "BIO101", 0, CD_VALIDATE_ERROR_INVALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 id = -1;
      gboolean ok = cd_validate_offering_id (cases[i].text, &id, &error);

      g_test_message ("offering %s", cases[i].text);
      g_assert_cmpint (id, ==, cases[i].id);
      if (cases[i].code < 0)
        {
          g_assert_true (ok);
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, CD_VALIDATE_ERROR, cases[i].code);
          g_assert_cmpstr (error->message, !=, "");
        }
    }
}

static void
test_job_token (void)
{
  const char *good[] = { "8840", "a-b_c.d~e", "..a", "x" };
  const char *bad[] = { "", ".", "..", "88 40", "88\t40", "a/b", "a?b", "a#b", "a&b", "%2e%2e",
                        "é", "8840\n", "\033[2J" };
  g_autofree char *longest = g_strnfill (CD_VALIDATE_MAX_TOKEN_LENGTH, '7');
  g_autofree char *too_long = g_strnfill (CD_VALIDATE_MAX_TOKEN_LENGTH + 1, '7');

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (cd_validate_job_token (good[i], NULL));
  g_assert_true (cd_validate_job_token (longest, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      int code = bad[i][0] == '\0' ? CD_VALIDATE_ERROR_EMPTY : CD_VALIDATE_ERROR_INVALID;

      g_assert_false (cd_validate_job_token (bad[i], &error));
      g_assert_error (error, CD_VALIDATE_ERROR, code);
    }
  g_assert_false (cd_validate_job_token (too_long, NULL));
  g_assert_false (cd_validate_job_token (NULL, NULL));
}

static void
test_api_version (void)
{
  const char *good[] = { "1.74", "1.0", "10.123", "999.999" };
  const char *bad[] = { "", "banana", "1", "1.", ".1", "1.2.3", "1.74 ", " 1.74", "1.-2",
                        "1000.1", "1.1000", "1,74", "v1.74" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (cd_validate_api_version (good[i], NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      int code = bad[i][0] == '\0' ? CD_VALIDATE_ERROR_EMPTY : CD_VALIDATE_ERROR_INVALID;

      g_test_message ("version “%s”", bad[i]);
      g_assert_false (cd_validate_api_version (bad[i], &error));
      g_assert_error (error, CD_VALIDATE_ERROR, code);
    }
  g_assert_false (cd_validate_api_version (NULL, NULL));
}

static void
test_hours (void)
{
  const double bad[] = { 0, -1, NAN, INFINITY, -INFINITY, 1e300, CD_VALIDATE_MAX_HOURS + 1 };
  GTimeSpan span = -1;

  g_assert_true (cd_validate_hours (36, &span, NULL));
  g_assert_cmpint (span, ==, 36 * G_TIME_SPAN_HOUR);
  g_assert_true (cd_validate_hours (CD_VALIDATE_MAX_HOURS, &span, NULL));
  g_assert_true (cd_validate_hours (1e-12, &span, NULL));
  g_assert_cmpint (span, ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      span = -1;
      g_assert_false (cd_validate_hours (bad[i], &span, &error));
      g_assert_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_RANGE);
      g_assert_cmpint (span, ==, 0);
    }
}

static char *
nested (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, i % 2 ? "[" : "{\"a\":");
  for (guint i = depth; i > 0; i--)
    g_string_append_c (text, (i - 1) % 2 ? ']' : '}');

  return g_string_free (text, FALSE);
}

static void
test_json_depth (void)
{
  g_autofree char *ok = g_strdup_printf ("[%s]", "1");
  g_autofree char *deep = NULL;
  g_autoptr(GString) bomb = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* Only depth counts; brackets inside strings do not. */
  g_assert_true (cd_json_check_depth ("{\"a\": \"[[[[[\\\"[[[[\"}", 21, 1));
  g_assert_false (cd_json_check_depth ("[[1]]", 5, 1));
  g_assert_true (cd_json_check_depth ("[[1]]", 5, 2));
  g_assert_true (cd_json_check_depth ("]]]][", 5, 1));

  root = cd_json_parse (ok, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  g_clear_pointer (&root, json_node_unref);

  deep = nested (CD_JSON_MAX_DEPTH);
  root = cd_json_parse (deep, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, json_node_unref);
  g_free (deep);

  /* The crash the probe found: 100,000 levels overflowed json-glib's stack. */
  g_string_append (bomb, "{\"Status\": ");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (bomb, '[');
  root = cd_json_parse (bomb->str, (gssize)bomb->len, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (root);
  g_clear_error (&error);

  deep = nested (CD_JSON_MAX_DEPTH + 1);
  g_assert_null (cd_json_parse (deep, -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_null (cd_json_parse ("", 0, &error));
  g_assert_nonnull (error);
}

static void
test_offering_code (void)
{
  const char *bad_chars[] = { "A\\B", "A:B", "A*B", "A?B", "A\"B", "A<B", "A>B", "A|B",
                              "A'B", "A#B", "A,B", "A%B", "A&B", "A\nB", "A\rB" };
  g_autoptr(GError) error = NULL;
  g_autofree char *fifty = g_strnfill (CD_VALIDATE_MAX_CODE_LENGTH, 'x');
  g_autofree char *fifty_one = g_strnfill (CD_VALIDATE_MAX_CODE_LENGTH + 1, 'x');
  GString *umlauts = g_string_new (NULL);

  g_assert_true (cd_validate_offering_code ("BIO-101 (Fall)", &error));
  g_assert_no_error (error);
  g_assert_true (cd_validate_offering_code (fifty, &error));
  g_assert_no_error (error);

  /* Characters, not bytes: 50 "ü" are 100 bytes and still fine. */
  for (guint i = 0; i < CD_VALIDATE_MAX_CODE_LENGTH; i++)
    g_string_append (umlauts, "ü");
  g_assert_true (cd_validate_offering_code (umlauts->str, &error));
  g_assert_no_error (error);
  g_string_append (umlauts, "ü");
  g_assert_false (cd_validate_offering_code (umlauts->str, &error));
  g_assert_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_RANGE);
  g_clear_error (&error);
  g_string_free (umlauts, TRUE);

  g_assert_false (cd_validate_offering_code (fifty_one, &error));
  g_assert_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_RANGE);
  g_clear_error (&error);

  g_assert_false (cd_validate_offering_code ("", &error));
  g_assert_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_false (cd_validate_offering_code (NULL, &error));
  g_assert_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad_chars); i++)
    {
      g_assert_false (cd_validate_offering_code (bad_chars[i], &error));
      g_assert_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_INVALID);
      g_clear_error (&error);
    }

  g_assert_false (cd_validate_offering_code ("A\xff", &error));
  g_assert_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/validate/offering-id", test_offering_id);
  g_test_add_func ("/validate/job-token", test_job_token);
  g_test_add_func ("/validate/api-version", test_api_version);
  g_test_add_func ("/validate/hours", test_hours);
  g_test_add_func ("/validate/offering-code", test_offering_code);
  g_test_add_func ("/json/depth", test_json_depth);

  return g_test_run ();
}
