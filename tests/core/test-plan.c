/* test-plan.c: reading migration plans (CSV) with line numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-plan.h"

static CdPlan *
plan_from (const char *text)
{
  return cd_plan_new_from_data (text, strlen (text), "/srv/plans");
}

/* The problems, one "LINE: message" per line, for compact assertions. */
static char *
problems_of (CdPlan *plan)
{
  GPtrArray *problems = cd_plan_get_problems (plan);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      const CdPlanProblem *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (out, "%u: %s\n", problem->line, problem->message);
    }
  return g_string_free (out, FALSE);
}

static void
test_spreadsheet_csv (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 90);
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *end = g_date_time_format (later, "%Y-%m-%d");
  g_autofree char *csv = NULL;
  g_autoptr(CdPlan) plan = NULL;
  const CdPlanRow *row;

  /* What a spreadsheet saves as "CSV UTF-8": BOM, CRLF, quotes. */
  csv = g_strdup_printf ("\xEF\xBB\xBF" "Package , OFFERING,Code,Name,Template,Semester,Start,End\r\n"
                         "week1.imscc,6606,,,,,,\r\n"
                         "\r\n"
                         "\"with, comma.zip\",code:BIO101,,,,,,\r\n"
                         "\"/abs/\"\"quoted\"\".zip\",,NEW-1,\"Line one\r\nline two\",6605,,%s,%s\r\n"
                         "last.zip,,NEW-1,\"Line one\nline two\",6605,,%s,%s", start, end, start, end);
  plan = plan_from (csv);

  g_assert_cmpuint (cd_plan_get_problems (plan)->len, ==, 0);
  g_assert_cmpuint (cd_plan_get_n_rows (plan), ==, 4);

  row = cd_plan_get_row (plan, 0);
  g_assert_cmpuint (row->line, ==, 2);
  g_assert_cmpstr (row->package, ==, "/srv/plans/week1.imscc");
  g_assert_cmpstr (row->offering, ==, "6606");
  g_assert_null (row->code);

  /* Line 3 is blank and skipped; the row keeps its own line. */
  row = cd_plan_get_row (plan, 1);
  g_assert_cmpuint (row->line, ==, 4);
  g_assert_cmpstr (row->package, ==, "/srv/plans/with, comma.zip");
  g_assert_cmpstr (row->offering, ==, "code:BIO101");

  row = cd_plan_get_row (plan, 2);
  g_assert_cmpuint (row->line, ==, 5);
  g_assert_cmpstr (row->package, ==, "/abs/\"quoted\".zip");
  g_assert_cmpstr (row->name, ==, "Line one\nline two");
  g_assert_cmpstr (row->template, ==, "6605");
  g_assert_cmpstr (row->start, ==, start);

  /* The line break inside quotes counts: the next row starts on line 7. */
  row = cd_plan_get_row (plan, 3);
  g_assert_cmpuint (row->line, ==, 7);
  g_assert_cmpstr (row->code, ==, "NEW-1");
}

static void
test_header_problems (void)
{
  g_autoptr(CdPlan) unknown = plan_from ("package,offering,colour\na.zip,1,red\n");
  g_autoptr(CdPlan) twice = plan_from ("package,Package,offering\n");
  g_autoptr(CdPlan) no_package = plan_from ("offering\n6606\n");
  g_autoptr(CdPlan) no_target = plan_from ("package,name\na.zip,x\n");
  g_autoptr(CdPlan) empty = plan_from ("");
  g_autoptr(CdPlan) header_only = plan_from ("package,offering\r\n");
  g_autoptr(CdPlan) latin1 = plan_from ("package,offering\ncaf\xe9.zip,1\n");
  g_autofree char *text = NULL;

  text = problems_of (unknown);
  g_assert_cmpstr (text, ==, "1: unknown column “colour”; the known columns are " CD_PLAN_COLUMNS "\n");
  g_assert_cmpuint (cd_plan_get_n_rows (unknown), ==, 0);
  g_clear_pointer (&text, g_free);

  text = problems_of (twice);
  g_assert_cmpstr (text, ==, "1: the column “package” appears twice\n");
  g_clear_pointer (&text, g_free);

  g_assert_cmpuint (cd_plan_get_problems (no_package)->len, ==, 1);
  g_assert_cmpuint (cd_plan_get_problems (no_target)->len, ==, 1);
  g_assert_cmpuint (cd_plan_get_problems (empty)->len, ==, 1);
  g_assert_cmpuint (cd_plan_get_problems (header_only)->len, ==, 1);
  g_assert_cmpuint (((CdPlanProblem *)g_ptr_array_index (cd_plan_get_problems (header_only), 0))->line,
                    ==, 0);
  g_assert_cmpuint (cd_plan_get_problems (latin1)->len, ==, 1);
}

static void
test_row_problems (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *today_text = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *tomorrow_text = g_date_time_format (tomorrow, "%Y-%m-%d");
  g_autoptr(CdPlan) plan = NULL;
  g_autofree char *text = NULL;
  g_autofree char *long_code = g_strnfill (51, 'x');
  g_autofree char *csv = g_strdup_printf (
    "package,offering,code,name,template,semester,start,end\n"
    "a.zip,6606,,,,,,\n"                         /* 2: fine */
    "a.zip,6606,C,,,,,\n"                        /* 3: both */
    ",6606,,,,,,\n"                              /* 4: no package */
    "a.zip,BIO101,,,,,,\n"                       /* 5: neither ID nor code: */
    "a.zip,,%s,n,6605,,,\n"                      /* 6: code too long */
    "a.zip,,C1,n,,,,\n"                          /* 7: no template */
    "a.zip,,C2,n,TPL,,,\n"                       /* 8: template not a reference */
    "a.zip,,C3,n,6605,,someday,\n"               /* 9: bad date */
    "a.zip,,C4,n,6605,,%s,%s\n"                 /* 10: ends before it starts */
    "a.zip,6606\n"                               /* 11: too few fields */
    "a.zip,,C5,one,6605,,,\n"                    /* 12: fine */
    "a.zip,,c5,two,6605,,,\n"                    /* 13: C5 again, differently */
    "a.zip,,C5,one,6605,,,\n"                    /* 14: C5 again, the same: fine */
    "\"never closed,6606,,,,,,\n",               /* 15: unterminated quote */
    long_code, tomorrow_text, today_text);

  plan = plan_from (csv);
  text = problems_of (plan);
  g_test_message ("%s", text);

  for (guint line = 3; line <= 15; line++)
    {
      g_autofree char *prefix = g_strdup_printf ("%u: ", line);
      gboolean expected = line != 12 && line != 14;

      g_assert_true ((strstr (text, prefix) != NULL) == expected);
    }
  g_assert_null (strstr (text, "\n2: "));
  g_assert_nonnull (strstr (text, "13: the offering “c5” is described differently on line 12"));
  g_assert_nonnull (strstr (text, "15: a quoted field is never closed"));

  /* Only the good rows are kept. */
  g_assert_cmpuint (cd_plan_get_n_rows (plan), ==, 3);
  g_assert_cmpuint (cd_plan_get_row (plan, 0)->line, ==, 2);
  g_assert_cmpuint (cd_plan_get_row (plan, 1)->line, ==, 12);
  g_assert_cmpuint (cd_plan_get_row (plan, 2)->line, ==, 14);
}

static void
test_from_file (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "plans", NULL);
  g_autofree char *path = g_build_filename (dir, "fall.csv", NULL);
  g_autofree char *expected = g_build_filename (dir, "pkgs", "a.zip", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CdPlan) plan = NULL;
  g_autoptr(CdPlan) missing = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "package,offering\npkgs/../pkgs/a.zip,6606\n", -1, &error);
  g_assert_no_error (error);

  /* Relative paths start in the plan's folder, wherever we run. */
  plan = cd_plan_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_plan_get_row (plan, 0)->package, ==, expected);

  missing = cd_plan_new_from_file ("/nonexistent/plan.csv", &error);
  g_assert_null (missing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (cd_plan_new_from_file (dir, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/plan/spreadsheet-csv", test_spreadsheet_csv);
  g_test_add_func ("/plan/header-problems", test_header_problems);
  g_test_add_func ("/plan/row-problems", test_row_problems);
  g_test_add_func ("/plan/from-file", test_from_file);

  return g_test_run ();
}
