/* test-cli-batch.c: coursedrop-cli courses, create-offering and batch
 * against a sandbox process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <glib/gstdio.h>

#include "cd-sandbox.h"
#include "cd-test-util.h"

#define FAST_TIMELINE "UPLOADING:0.2,IMPORTING:0.3,COMPLETED"

static CdTestSandbox *
start_sandbox (const char *timeline,
               const char *extra,
               const char *extra_value)
{
  return cd_test_sandbox_start ("--timeline", timeline,
                                "--offering", "6606:Biology 101;BIO101",
                                "--offering", "6610:Biology 102;BIO102",
                                "--offering", "6620:Advanced Biology;BIO201",
                                "--offering", "6630:Chemistry;CHEM1",
                                "--offering", "6640:Lab Safety for biology;SAFE1",
                                "--page-size", "2",
                                extra, extra_value, NULL);
}

static guint
org_count (CdTestSandbox *sandbox,
           const char    *what)
{
  g_autoptr(JsonNode) stats = cd_test_sandbox_get_json (sandbox, "/_sandbox/orgunits");

  return (guint)json_object_get_int_member (json_node_get_object (stats), what);
}

/* A real zip whose manifest says @id, so that each package has its own
 * SHA-256. */
static char *
make_package (const char *name,
              guint       id)
{
  g_autofree char *manifest = g_strdup_printf ("<manifest identifier=\"pkg-%u\"/>\n", id);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "plan", NULL);
  g_autoptr(GByteArray) zip = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const char *entry = "imsmanifest.xml";
  guint32 size = (guint32)strlen (manifest), crc = 0xFFFFFFFFu, central, central_size;
  guint16 name_len = (guint16)strlen (entry);
  char *path = g_build_filename (dir, name, NULL);

#define U16(v) do { guint16 x = GUINT16_TO_LE (v); g_byte_array_append (zip, (guint8 *)&x, 2); } while (0)
#define U32(v) do { guint32 x = GUINT32_TO_LE (v); g_byte_array_append (zip, (guint8 *)&x, 4); } while (0)

  for (guint i = 0; i < size; i++)
    {
      crc ^= (guint8)manifest[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  crc ^= 0xFFFFFFFFu;

  U32 (0x04034b50); U16 (20); U16 (0); U16 (0); U16 (0); U16 (0);
  U32 (crc); U32 (size); U32 (size); U16 (name_len); U16 (0);
  g_byte_array_append (zip, (const guint8 *)entry, name_len);
  g_byte_array_append (zip, (const guint8 *)manifest, size);
  central = zip->len;
  U32 (0x02014b50); U16 (20); U16 (20); U16 (0); U16 (0); U16 (0); U16 (0);
  U32 (crc); U32 (size); U32 (size); U16 (name_len); U16 (0); U16 (0); U16 (0); U16 (0);
  U32 (0); U32 (0);
  g_byte_array_append (zip, (const guint8 *)entry, name_len);
  central_size = zip->len - central;
  U32 (0x06054b50); U16 (0); U16 (0); U16 (1); U16 (1);
  U32 (central_size); U32 (central); U16 (0);

#undef U16
#undef U32

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (const char *)zip->data, zip->len, &error);
  g_assert_no_error (error);
  return path;
}

/* Writes @text as plan.csv beside the packages; returns its path. */
static char *
write_plan (const char *name,
            const char *text)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "plan", NULL);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A plan of @rows imports of distinct packages into existing offerings. */
static char *
plan_of (guint rows)
{
  g_autoptr(GString) text = g_string_new ("package,offering\n");

  for (guint i = 1; i <= rows; i++)
    {
      g_autofree char *name = g_strdup_printf ("week%u.imscc", i);
      g_autofree char *path = make_package (name, i);

      g_string_append_printf (text, "%s,%s\n", name, i % 2 ? "6606" : "code:CHEM1");
    }

  return write_plan ("plan.csv", text->str);
}

static guint
count_lines (const char *text,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += prefix == NULL ? lines[i][0] != '\0' : g_str_has_prefix (lines[i], prefix);
  return n;
}

static void
test_courses (void)
{
  /* 7002 is one of the sandbox's default semesters, Spring Term. */
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--offering-semester", "6610=7002");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  CdTestRun run = { 0 };

  /* Four matches, two per page: the last two are only on later pages. */
  cd_test_cli_run (launcher, &run, "courses", "--search", "biology", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, NULL), ==, 4);
  g_assert_nonnull (strstr (run.out, "6606\tBIO101\tBiology 101\n"));
  g_assert_nonnull (strstr (run.out, "6640\tSAFE1\tLab Safety for biology\n"));
  g_assert_null (strstr (run.out, "CHEM1"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "courses", "--code", "BIO", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, "{\"id\":"), ==, 3);
  g_assert_nonnull (strstr (run.out, "{\"id\":6620,\"code\":\"BIO201\",\"name\":\"Advanced Biology\"}"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "courses", "--search", "nothing like it", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);

  /* Listings carry no semester: --semester asks each offering for it, and
   * prints it as a fourth column (empty for none). */
  cd_test_cli_run (launcher, &run, "courses", "--search", "biology", "--semester", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, NULL), ==, 4);
  g_assert_nonnull (strstr (run.out, "6610\tBIO102\tBiology 102\tSpring Term\n"));
  g_assert_nonnull (strstr (run.out, "6606\tBIO101\tBiology 101\t\n"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "courses", "--code", "BIO", "--json", "--semester", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, "{\"id\":"), ==, 3);
  g_assert_nonnull (strstr (run.out, "{\"id\":6610,\"code\":\"BIO102\",\"name\":\"Biology 102\","
                                     "\"semester\":{\"id\":7002,\"code\":\"TERM-SPRING\","
                                     "\"name\":\"Spring Term\"}}"));
  g_assert_nonnull (strstr (run.out, "{\"id\":6620,\"code\":\"BIO201\",\"name\":\"Advanced Biology\","
                                     "\"semester\":null}"));
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
test_create_offering (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 100);
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *end = g_date_time_format (later, "%Y-%m-%d");
  g_autofree char *first_id = NULL;
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "create-offering", "--template", "code:TPL-SCI",
                   "--code", "BIO-301", "--name", "Biology 301", "--semester", "code:TERM-FALL",
                   "--start", start, "--end", end, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_regex_match_simple ("^[0-9]+\n$", run.out, 0, 0));
  g_assert_nonnull (strstr (run.err, "created"));
  first_id = g_strdup (run.out);
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "create-offering", "--template", "6605",
                   "--code", "bio-301", "--name", "Biology 301", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, first_id);
  g_assert_nonnull (strstr (run.err, "already exists"));
  cd_test_run_clear (&run);

  g_assert_cmpuint (org_count (sandbox, "course_posts"), ==, 1);

  /* Refused before anything is sent: a bad code, a template that is an offering. */
  cd_test_cli_run (launcher, &run, "create-offering", "--template", "6605",
                   "--code", "BIO#302", "--name", "Biology 302", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  cd_test_run_clear (&run);
  cd_test_cli_run (launcher, &run, "create-offering", "--template", "6606",
                   "--code", "BIO-302", "--name", "Biology 302", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "6606"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "create-offering", "--template", "6605", "--code", "BIO-303",
                   "--name", "Biology 303", "--start", end, "--end", start, NULL);
  g_assert_cmpint (run.status, ==, 2);
  cd_test_run_clear (&run);

  g_assert_cmpuint (org_count (sandbox, "course_posts"), ==, 1);
  cd_test_sandbox_stop (sandbox);
}

static void
test_dry_run (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *a = make_package ("a.zip", 1);
  g_autofree char *b = make_package ("b with, comma.zip", 2);
  g_autofree char *plan = NULL;
  CdTestRun run = { 0 };

  /* BOM, CRLF, mixed-case header, quoted fields with commas. */
  plan = write_plan ("dry.csv",
                     "\xEF\xBB\xBFPackage,Offering,Code,Name,Template,Semester\r\n"
                     "a.zip,6606,,,,\r\n"
                     "\"b with, comma.zip\",,NEW-1,\"New, course\",code:TPL-SCI,code:TERM-FALL\r\n"
                     "a.zip,,new-1,\"New, course\",code:TPL-SCI,code:TERM-FALL\r\n");

  cd_test_cli_run (launcher, &run, "batch", "--dry-run", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "line 2: would import a.zip into BIO101 (6606)"));
  g_assert_nonnull (strstr (run.out, "line 3: would create offering NEW-1"));
  g_assert_nonnull (strstr (run.out, "line 4: would create offering new-1"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "batch", "--dry-run", "--json", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, "{\"event\":\"check\""), ==, 3);
  g_assert_nonnull (strstr (run.out, "\"result\":\"would-create\""));
  cd_test_run_clear (&run);

  /* Nothing was created or uploaded. */
  g_assert_cmpuint (org_count (sandbox, "course_posts"), ==, 0);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 0);
  cd_test_sandbox_stop (sandbox);
}

static void
test_bad_rows (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *a = make_package ("a.zip", 1);
  g_autofree char *broken = write_plan ("broken.csv",
                                        "package,offering,code,name,template\n"
                                        "a.zip,6606,X1,,\n"
                                        "gone.zip,6606,,,\n"
                                        ",6606,,,\n"
                                        "a.zip,BIO101,,,\n"
                                        "\"a.zip\nstill the same field\",,A:B,n,6605\n"
                                        "a.zip,6606\n"
                                        "a.zip,,C1,one,6605\n"
                                        "a.zip,,C1,two,6605\n");
  g_autofree char *unknown = write_plan ("unknown.csv", "package,offering,colour\na.zip,6606,red\n");
  g_autofree char *missing = write_plan ("missing.csv",
                                         "package,offering,code,name,template\n"
                                         "a.zip,6606,,,\n"
                                         "nowhere.zip,6606,,,\n"
                                         "a.zip,999,,,\n"
                                         "a.zip,code:NOPE,,,\n"
                                         "a.zip,,NEW-2,n,code:NO-TEMPLATE\n"
                                         "a.zip,6606,,,\n");
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "batch", broken, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "broken.csv:2: "));
  /* A well-formed row naming a missing package is found in the same pass. */
  g_assert_nonnull (strstr (run.err, "broken.csv:3: "));
  g_assert_nonnull (strstr (run.err, "broken.csv:4: no package"));
  g_assert_nonnull (strstr (run.err, "broken.csv:5: offering: "));
  /* The quoted field spans lines 6 and 7: the next row is on line 8. */
  g_assert_nonnull (strstr (run.err, "broken.csv:6: code: "));
  g_assert_nonnull (strstr (run.err, "broken.csv:8: 2 fields where the header has 5"));
  g_assert_nonnull (strstr (run.err, "broken.csv:10: the offering “C1” is described differently on line 9"));
  g_assert_null (strstr (run.err, "broken.csv:9:"));
  g_assert_nonnull (strstr (run.err, "nothing was sent"));
  cd_test_run_clear (&run);

  cd_test_cli_run (launcher, &run, "batch", unknown, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "unknown.csv:1: unknown column “colour”; the known columns are package, offering"));
  cd_test_run_clear (&run);

  /* Well formed, but naming what does not exist: found by the check. */
  cd_test_cli_run (launcher, &run, "batch", missing, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "missing.csv:3: "));
  g_assert_nonnull (strstr (run.err, "missing.csv:4: no course offering has the ID 999"));
  g_assert_nonnull (strstr (run.err, "missing.csv:5: no course offering has the code “NOPE”"));
  g_assert_nonnull (strstr (run.err, "missing.csv:6: "));
  g_assert_nonnull (strstr (run.err, "missing.csv:7: the same package goes into the same offering on line 2"));
  g_assert_null (strstr (run.err, "missing.csv:2:"));
  cd_test_run_clear (&run);

  g_assert_cmpuint (org_count (sandbox, "course_posts"), ==, 0);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 0);
  cd_test_sandbox_stop (sandbox);
}

static void
test_parallel_limit (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.5,IMPORTING:0.5,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *plan = plan_of (6);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "batch", "--parallel", "2", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, "line "), ==, 6);
  g_assert_nonnull (strstr (run.out, "6 imported, 0 failed, 0 skipped\n"));
  cd_test_run_clear (&run);

  /* Two at once, never more; and the limit was reached. */
  g_assert_cmpuint (org_count (sandbox, "max_concurrent_imports"), ==, 2);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 6);

  cd_test_cli_run (launcher, &run, "batch", "--parallel", "11", plan, NULL);
  g_assert_cmpint (run.status, ==, 2);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

static void
test_rate_limited (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:0.5,IMPORTING:0.5,COMPLETED",
                                          "--max-concurrent-imports", "2");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *plan = plan_of (5);
  CdTestRun run = { 0 };

  /* Four wanted, two allowed: the third upload gets 429 and the batch waits. */
  cd_test_cli_run (launcher, &run, "batch", "--parallel", "4", "--json", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "{\"event\":\"paused\",\"seconds\":"));
  g_assert_nonnull (strstr (run.out, "{\"event\":\"summary\",\"imported\":5,\"failed\":0"));
  g_assert_nonnull (strstr (run.err, "slow down"));
  cd_test_run_clear (&run);

  g_assert_cmpuint (org_count (sandbox, "import_limit_refusals"), >, 0);
  g_assert_cmpuint (org_count (sandbox, "max_concurrent_imports"), <=, 2);
  /* Refused uploads reached nothing and are not recorded: five jobs. */
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 5);

  cd_test_cli_run (launcher, &run, "jobs", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, NULL), <=, 6);
  cd_test_run_clear (&run);

  cd_test_sandbox_stop (sandbox);
}

/* Requests per second, not imports: every call may get 429; GETs are
 * retried after Retry-After and the batch holds new imports meanwhile. */
static void
test_request_rate (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--rate-limit", "4");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *plan = plan_of (4);
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "batch", "--parallel", "4", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "4 imported, 0 failed, 0 skipped\n"));
  cd_test_run_clear (&run);

  g_assert_cmpuint (org_count (sandbox, "rate_limit_refusals"), >, 0);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 4);
  cd_test_sandbox_stop (sandbox);
}

static void
test_interrupt_resume (void)
{
  CdTestSandbox *sandbox = start_sandbox ("UPLOADING:1,IMPORTING:2,COMPLETED", NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *plan = plan_of (4);
  g_autoptr(GSubprocess) batch = NULL;
  g_autoptr(GError) error = NULL;
  CdTestRun run = { 0 };

  batch = cd_test_cli_spawn (launcher, "batch", "--parallel", "2", plan, NULL);

  /* Ctrl+C once two jobs have their tokens and before any finished. */
  for (guint i = 0; i < 200 && cd_test_sandbox_count (sandbox, "uploads") < 2; i++)
    g_usleep (20 * 1000);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 2);
  g_usleep (300 * 1000);
  g_subprocess_send_signal (batch, SIGINT);
  g_subprocess_wait (batch, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (batch));
  g_assert_cmpint (g_subprocess_get_exit_status (batch), ==, 130);

  /* Again: the two jobs are followed by their tokens, only two uploads more. */
  cd_test_cli_run (launcher, &run, "batch", "--parallel", "2", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "4 imported, 0 failed, 0 skipped\n"));
  g_assert_nonnull (strstr (run.out, "(job 8840;"));
  g_assert_nonnull (strstr (run.out, "(job 8841;"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 4);

  /* And once more: everything is done, nothing is sent. */
  cd_test_cli_run (launcher, &run, "batch", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "0 imported, 0 failed, 4 skipped\n"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 4);

  /* Unless asked to import again. */
  cd_test_cli_run (launcher, &run, "batch", "--again", "--parallel", "4", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "4 imported, 0 failed, 0 skipped\n"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (cd_test_sandbox_count (sandbox, "uploads"), ==, 8);

  cd_test_sandbox_stop (sandbox);
}

/* The answer to creating the plan's offering is lost: looked up, not
 * posted again; the rows go into the one offering that exists. */
static void
test_lost_create_answer (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--drop-create-answer", "2");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *a = make_package ("a.zip", 1);
  g_autofree char *b = make_package ("b.zip", 2);
  g_autofree char *plan = write_plan ("lost.csv",
                                      "package,code,name,template\n"
                                      "a.zip,LOST-1,Lost,code:TPL-SCI\n"
                                      "b.zip,LOST-1,Lost,code:TPL-SCI\n");
  g_autoptr(JsonNode) uploads = NULL;
  JsonArray *list;
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "batch", plan, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "2 imported, 0 failed, 0 skipped\n"));
  g_assert_nonnull (strstr (run.err, "Created course offering LOST-1"));
  cd_test_run_clear (&run);

  g_assert_cmpuint (org_count (sandbox, "course_posts"), ==, 1);
  g_assert_cmpuint (org_count (sandbox, "courses_created"), ==, 1);
  uploads = cd_test_sandbox_get_json (sandbox, "/_sandbox/uploads");
  list = json_node_get_array (uploads);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, 0), "OrgUnitId"),
                   ==,
                   json_object_get_int_member (json_array_get_object_element (list, 1), "OrgUnitId"));

  /* create-offering, the same way: the ID of the one offering made. */
  cd_test_cli_run (launcher, &run, "create-offering", "--template", "6605", "--code", "LOST-2",
                   "--name", "Lost two", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_regex_match_simple ("^[0-9]+\n$", run.out, 0, 0));
  g_assert_nonnull (strstr (run.err, "created"));
  cd_test_run_clear (&run);
  g_assert_cmpuint (org_count (sandbox, "course_posts"), ==, 2);
  g_assert_cmpuint (org_count (sandbox, "courses_created"), ==, 2);
  g_assert_cmpuint (org_count (sandbox, "answers_dropped"), ==, 2);

  cd_test_sandbox_stop (sandbox);
}

static void
test_report (void)
{
  CdTestSandbox *sandbox = start_sandbox (FAST_TIMELINE, "--offering-timeline",
                                          "6630=UPLOADING:0.2,IMPORTFAILED");
  g_autoptr(GSubprocessLauncher) launcher = cd_test_cli_launcher (sandbox);
  g_autofree char *a = make_package ("a.zip", 1);
  g_autofree char *b = make_package ("b.zip", 2);
  g_autofree char *plan = write_plan ("report-plan.csv",
                                      "package,offering,code,name,template\n"
                                      "a.zip,6606,,,\n"
                                      "b.zip,code:CHEM1,,,\n"
                                      "b.zip,,NEW-9,Nine,code:TPL-HUM\n");
  g_autofree char *report = g_build_filename (g_get_user_data_dir (), "report.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  CdTestRun run = { 0 };

  cd_test_cli_run (launcher, &run, "batch", "--report", report, plan, NULL);
  /* One import failed (CHEM1 fails every import). */
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "2 imported, 1 failed, 0 skipped\n"));
  cd_test_run_clear (&run);

  g_assert_true (g_file_get_contents (report, &text, NULL, NULL));
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);  /* header, three rows, "" */
  g_assert_cmpstr (lines[0], ==, "line,package,offering_id,offering_code,job_token,status,result,"
                                 "started,finished,seconds,warnings,errors,message");
  g_assert_true (g_str_has_prefix (lines[1], "2,"));
  g_assert_nonnull (strstr (lines[1], "a.zip,6606,BIO101,8840,COMPLETED,imported,"));
  g_assert_nonnull (strstr (lines[2], "b.zip,6630,CHEM1,"));
  g_assert_nonnull (strstr (lines[2], ",IMPORTFAILED,failed,"));
  g_assert_true (g_regex_match_simple (",NEW-9,[0-9]+,COMPLETED,imported,[0-9T:Z-]+,[0-9T:Z-]+,[0-9]+,1,0,$",
                                      lines[3], 0, 0));
  g_assert_cmpstr (lines[4], ==, "");

  cd_test_sandbox_stop (sandbox);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/batch/courses", test_courses);
  g_test_add_func ("/cli/batch/create-offering", test_create_offering);
  g_test_add_func ("/cli/batch/dry-run", test_dry_run);
  g_test_add_func ("/cli/batch/bad-rows", test_bad_rows);
  g_test_add_func ("/cli/batch/parallel-limit", test_parallel_limit);
  g_test_add_func ("/cli/batch/rate-limited", test_rate_limited);
  g_test_add_func ("/cli/batch/request-rate", test_request_rate);
  g_test_add_func ("/cli/batch/interrupt-resume", test_interrupt_resume);
  g_test_add_func ("/cli/batch/lost-create-answer", test_lost_create_answer);
  g_test_add_func ("/cli/batch/report", test_report);

  return g_test_run ();
}
