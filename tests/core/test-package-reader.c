/* test-package-reader.c: package kinds, outlines and refusals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <sys/resource.h>
#include <gio/gio.h>

#include "cd-package-manifest.h"
#include "cd-package-reader.h"
#include "../data/packages/cd-test-packages.h"

static char *
fixture (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "packages", NULL);

  return cd_test_package_make (name, dir);
}

static CdPackagePreview *
read_ok (const char *name)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  CdPackagePreview *preview = cd_package_reader_read (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (preview);
  return preview;
}

static void
assert_refused (const char *name,
                int         code,
                const char *in_message)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(CdPackagePreview) preview = cd_package_reader_read (path, NULL, &error);

  g_assert_null (preview);
  g_assert_error (error, CD_PACKAGE_READER_ERROR, code);
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("%s: “%s” does not mention “%s”", name, error->message, in_message);
}

/* "module,file,link,…" → each count; all others must be 0. */
static void
assert_counts (CdPackagePreview *preview,
               const char       *expected)
{
  g_auto(GStrv) pairs = g_strsplit (expected, ",", -1);
  guint want[CD_PACKAGE_N_ITEM_TYPES] = { 0 };

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (pairs[i], "=", 2);
      guint t;

      for (t = 0; t < CD_PACKAGE_N_ITEM_TYPES; t++)
        if (strcmp (kv[0], cd_package_item_type_to_string (t)) == 0)
          break;
      g_assert_cmpuint (t, <, CD_PACKAGE_N_ITEM_TYPES);
      want[t] = (guint)g_ascii_strtoull (kv[1], NULL, 10);
    }
  for (guint t = 0; t < CD_PACKAGE_N_ITEM_TYPES; t++)
    {
      if (cd_package_preview_get_count (preview, t) != want[t])
        g_error ("count of %s: %u, expected %u", cd_package_item_type_to_string (t),
                 cd_package_preview_get_count (preview, t), want[t]);
    }
}

/* The outline as "Title(type)[children]" so a whole tree is one string. */
static void
outline_string (GString   *out,
                GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      CdPackageOutlineItem *item = g_ptr_array_index (items, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%s(%s)", item->title, cd_package_item_type_to_string (item->type));
      if (item->children->len > 0)
        {
          g_string_append_c (out, '[');
          outline_string (out, item->children);
          g_string_append_c (out, ']');
        }
    }
}

static void
assert_outline (CdPackagePreview *preview,
                const char       *expected)
{
  g_autoptr(GString) text = g_string_new (NULL);

  outline_string (text, cd_package_preview_get_outline (preview));
  g_assert_cmpstr (text->str, ==, expected);
}

static gboolean
has_warning (CdPackagePreview *preview,
             const char       *part)
{
  GPtrArray *warnings = cd_package_preview_get_warnings (preview);

  for (guint i = 0; i < warnings->len; i++)
    if (strstr (g_ptr_array_index (warnings, i), part) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_cc11 (void)
{
  g_autoptr(CdPackagePreview) preview = read_ok ("cc11");

  g_assert_cmpint (cd_package_preview_get_kind (preview), ==, CD_PACKAGE_KIND_COMMON_CARTRIDGE);
  g_assert_cmpstr (cd_package_preview_get_version (preview), ==, "1.1");
  g_assert_cmpstr (cd_package_preview_get_title (preview), ==, "Biology 101");
  g_assert_cmpstr (cd_package_preview_get_code (preview), ==, "");
  assert_counts (preview, "module=2,file=1,link=1,discussion=1,quiz=1,lti=1");
  /* The untitled root item is not a module of its own. */
  assert_outline (preview, "Week 1(module)[Introduction(file) Cell diagrams(link) Introduce yourself(discussion)] "
                           "Week 2(module)[Cells quiz(quiz) Virtual lab(lti)]");
  g_assert_cmpuint (cd_package_preview_get_entry_count (preview), ==, 6);
  g_assert_cmpuint (cd_package_preview_get_warnings (preview)->len, ==, 1);
  g_assert_true (has_warning (preview, "LTI"));
}

static void
test_cc13 (void)
{
  g_autoptr(CdPackagePreview) preview = read_ok ("cc13");

  g_assert_cmpint (cd_package_preview_get_kind (preview), ==, CD_PACKAGE_KIND_COMMON_CARTRIDGE);
  g_assert_cmpstr (cd_package_preview_get_version (preview), ==, "1.3");
  g_assert_cmpstr (cd_package_preview_get_title (preview), ==, "Chemistry 201");
  /* The associated content (the essay's rubric) is not an item. */
  assert_counts (preview, "module=3,file=2,link=1,discussion=1,quiz=1,question-bank=1,assignment=1,lti=1");
  assert_outline (preview, "Unit 1: Atoms(module)[Reading(file) Lab(module)[Lab sheet(file) Simulator(lti)] "
                           "Periodic table(link)] "
                           "Unit 2: Bonds(module)[Questions about bonds(discussion) Bonds quiz(quiz) Essay(assignment)]");
  /* "web/lab%20sheet.pdf" is "web/lab sheet.pdf": nothing missing. */
  g_assert_false (has_warning (preview, "not in the package"));
  g_assert_true (has_warning (preview, "LTI"));
}

static void
test_brightspace (void)
{
  g_autoptr(CdPackagePreview) preview = read_ok ("brightspace");

  g_assert_cmpint (cd_package_preview_get_kind (preview), ==, CD_PACKAGE_KIND_BRIGHTSPACE);
  g_assert_cmpstr (cd_package_preview_get_title (preview), ==, "History of Art");
  g_assert_cmpstr (cd_package_preview_get_code (preview), ==, "ART-110");
  assert_counts (preview, "module=1,file=1,link=1,quiz=1,assignment=1,other=1");
  assert_outline (preview, "Renaissance(module)[Florence(file) Uffizi tour(link)]");
  g_assert_cmpuint (cd_package_preview_get_warnings (preview)->len, ==, 0);
}

static void
test_scorm (void)
{
  g_autoptr(CdPackagePreview) v12 = read_ok ("scorm12");
  g_autoptr(CdPackagePreview) v2004 = read_ok ("scorm2004");

  g_assert_cmpint (cd_package_preview_get_kind (v12), ==, CD_PACKAGE_KIND_SCORM_12);
  g_assert_cmpstr (cd_package_preview_get_version (v12), ==, "1.2");
  g_assert_cmpstr (cd_package_preview_get_title (v12), ==, "Golf Basics");
  assert_counts (v12, "scorm=2,file=1");
  assert_outline (v12, "The Rules(scorm) Rules Quiz(scorm)");

  /* Same default namespace as a Brightspace package: told apart by adlcp. */
  g_assert_cmpint (cd_package_preview_get_kind (v2004), ==, CD_PACKAGE_KIND_SCORM_2004);
  g_assert_cmpstr (cd_package_preview_get_version (v2004), ==, "2004 4th Edition");
  g_assert_cmpstr (cd_package_preview_get_title (v2004), ==, "Sailing for Beginners");
  assert_counts (v2004, "scorm=2,module=1");
  assert_outline (v2004, "Part 1(module)[Knots(scorm) Wind(scorm)]");
}

static void
test_qti_and_plain (void)
{
  g_autoptr(CdPackagePreview) qti = read_ok ("qti");
  g_autoptr(CdPackagePreview) plain = read_ok ("imscp");

  g_assert_cmpint (cd_package_preview_get_kind (qti), ==, CD_PACKAGE_KIND_QTI);
  g_assert_cmpstr (cd_package_preview_get_version (qti), ==, "1.2");
  assert_counts (qti, "quiz=2");
  g_assert_cmpuint (cd_package_preview_get_outline (qti)->len, ==, 0);

  g_assert_cmpint (cd_package_preview_get_kind (plain), ==, CD_PACKAGE_KIND_IMS_CP);
  g_assert_cmpstr (cd_package_preview_get_title (plain), ==, "Museum Guide");
  assert_counts (plain, "module=1,file=1,other=1");
  assert_outline (plain, "Main hall(module)[Welcome(file) Map widget(other)]");
  g_assert_true (has_warning (plain, "x-museum-widget"));
}

static void
test_no_manifest (void)
{
  g_autoptr(CdPackagePreview) preview = read_ok ("no-manifest");

  g_assert_cmpint (cd_package_preview_get_kind (preview), ==, CD_PACKAGE_KIND_UNKNOWN);
  assert_counts (preview, "file=2");
  g_assert_true (has_warning (preview, "no imsmanifest.xml"));
}

static void
test_warnings (void)
{
  g_autoptr(CdPackagePreview) nested = read_ok ("nested");
  g_autoptr(CdPackagePreview) missing = read_ok ("missing-files");
  g_autoptr(CdPackagePreview) large = read_ok ("large-sparse");

  /* Read from its folder, and its files found relative to it. */
  g_assert_cmpstr (cd_package_preview_get_title (nested), ==, "Nested Biology");
  g_assert_true (has_warning (nested, "course/imsmanifest.xml"));
  g_assert_false (has_warning (nested, "not in the package"));

  /* web/absent.html is missing, "web/My%20Notes.html" is not. */
  g_assert_true (has_warning (missing, "1 file that is not in the package: “web/absent.html”"));
  g_assert_false (has_warning (missing, "Notes"));
  g_assert_true (has_warning (missing, "1 outline item points to a resource the manifest lacks"));

  g_assert_cmpuint (cd_package_preview_get_size (large), >, G_GUINT64_CONSTANT (2) << 30);
  g_assert_true (has_warning (large, "2 GiB"));
}

static void
test_hostile (void)
{
  assert_refused ("traversal", CD_PACKAGE_READER_ERROR_UNSAFE_PATH, "../evil.html");
  assert_refused ("traversal-backslash", CD_PACKAGE_READER_ERROR_UNSAFE_PATH, "evil.html");
  assert_refused ("absolute", CD_PACKAGE_READER_ERROR_UNSAFE_PATH, "/etc/x");
  assert_refused ("encrypted", CD_PACKAGE_READER_ERROR_ENCRYPTED, "index.html");
  assert_refused ("truncated", CD_PACKAGE_READER_ERROR_DAMAGED, "truncated");
  assert_refused ("not-zip", CD_PACKAGE_READER_ERROR_NOT_ZIP, "not a zip");
  assert_refused ("bomb-header", CD_PACKAGE_READER_ERROR_COMPRESSION_RATIO, "zip bomb");
  assert_refused ("hidden-bomb", CD_PACKAGE_READER_ERROR_COMPRESSION_RATIO, "“notes.txt”");
  assert_refused ("hidden-bomb-zip64", CD_PACKAGE_READER_ERROR_COMPRESSION_RATIO, "“notes.txt”, which would unpack to 8.6");
  assert_refused ("huge-total", CD_PACKAGE_READER_ERROR_TOO_LARGE, "16 GiB");
  assert_refused ("many-entries", CD_PACKAGE_READER_ERROR_TOO_MANY_ENTRIES, NULL);
  assert_refused ("manifest-too-large", CD_PACKAGE_READER_ERROR_MANIFEST_TOO_LARGE, "8 MiB");
  assert_refused ("billion-laughs", CD_PACKAGE_READER_ERROR_MANIFEST_ENTITIES, "entities");
  assert_refused ("xxe", CD_PACKAGE_READER_ERROR_MANIFEST_ENTITIES, "entities");
  assert_refused ("duplicate", CD_PACKAGE_READER_ERROR_DAMAGED, "two files named “imsmanifest.xml”");
}

/* Never followed (nothing is extracted), but worth a word. */
static void
test_symlink (void)
{
  g_autoptr(CdPackagePreview) preview = read_ok ("symlink");

  g_assert_cmpuint (cd_package_preview_get_entry_count (preview), ==, 3);
  g_assert_true (has_warning (preview, "1 symbolic link"));
}

static void
test_cancelled (void)
{
  g_autofree char *path = fixture ("cc11");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CdPackagePreview) preview = NULL;

  g_cancellable_cancel (cancellable);
  preview = cd_package_reader_read (path, cancellable, &error);
  g_assert_null (preview);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_missing_file (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "no-such-package.zip", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CdPackagePreview) preview = cd_package_reader_read (path, NULL, &error);

  g_assert_null (preview);
  g_assert_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_UNREADABLE);

  g_clear_error (&error);
  preview = cd_package_reader_read (g_get_user_cache_dir (), NULL, &error);
  g_assert_null (preview);
  g_assert_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_UNREADABLE);
}

static gboolean
parse (const char        *xml,
       CdPackagePreview  *preview,
       GError           **error)
{
  return cd_package_manifest_parse (xml, strlen (xml), "", NULL, preview, error);
}

/* The parser alone: what is not a manifest, and what it never does. */
static void
test_manifest_parse (void)
{
  g_autoptr(CdPackagePreview) preview = cd_package_preview_new ();
  g_autoptr(GString) deep = g_string_new ("<manifest><organizations><organization>");
  g_autoptr(GError) error = NULL;
  CdPackageOutlineItem *item;
  guint depth = 0;

  g_assert_false (parse ("<html><body/></html>", preview, &error));
  g_assert_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_BAD_MANIFEST);
  g_clear_error (&error);
  g_assert_false (parse ("<manifest><resources></manifest>", preview, &error));
  g_assert_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_BAD_MANIFEST);
  g_clear_error (&error);
  /* A parameter entity is an entity too. */
  g_assert_false (parse ("<!DOCTYPE manifest [<!ENTITY % p \"x\">]><manifest/>", preview, &error));
  g_assert_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_MANIFEST_ENTITIES);
  g_clear_error (&error);

  /* An external DTD is neither fetched nor an error. */
  g_assert_true (parse ("<!DOCTYPE manifest SYSTEM \"http://127.0.0.1:1/x.dtd\">"
                        "<manifest><organizations><organization><title>T</title></organization>"
                        "</organizations></manifest>", preview, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cd_package_preview_get_title (preview), ==, "T");
  g_clear_object (&preview);

  /* 40 levels of modules: the outline stops 32 levels down, with a warning. */
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (deep, "<item identifier=\"i%u\"><title>Level %u</title>", i, i);
  for (guint i = 0; i < 40; i++)
    g_string_append (deep, "</item>");
  g_string_append (deep, "</organization></organizations></manifest>");
  preview = cd_package_preview_new ();
  g_assert_true (parse (deep->str, preview, &error));
  g_assert_no_error (error);
  item = g_ptr_array_index (cd_package_preview_get_outline (preview), 0);
  while (item->children->len > 0)
    {
      item = g_ptr_array_index (item->children, 0);
      depth++;
    }
  g_assert_cmpuint (depth, ==, 32);
  g_assert_true (has_warning (preview, "deeper than 32 levels"));
}

/* In a child process, so its peak RSS is its own. */
static void
test_bomb (void)
{
  g_autofree char *path = fixture ("bomb");

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CdPackagePreview) preview = NULL;
      struct rusage usage;
      gint64 start = g_get_monotonic_time ();

      preview = cd_package_reader_read (path, NULL, &error);
      g_assert_null (preview);
      g_assert_error (error, CD_PACKAGE_READER_ERROR, CD_PACKAGE_READER_ERROR_COMPRESSION_RATIO);
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
      g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
#if !defined(__SANITIZE_ADDRESS__)
      /* ASan's shadow memory and quarantine would dwarf what we measure. */
      g_assert_cmpint (usage.ru_maxrss, <, 64 * 1024);  /* KiB */
#endif
      g_test_message ("bomb refused in %" G_GINT64_FORMAT " µs, peak RSS %ld KiB",
                      g_get_monotonic_time () - start, usage.ru_maxrss);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (void)
{
  g_autofree char *path = fixture ("cc13");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CdPackagePreview) preview = NULL;
  g_autoptr(GError) error = NULL;

  cd_package_reader_read_async (path, NULL, read_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  preview = cd_package_reader_read_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_package_preview_get_title (preview), ==, "Chemistry 201");
  g_clear_object (&preview);

  g_cancellable_cancel (cancellable);
  cd_package_reader_read_async (path, cancellable, read_cb, &cancelled_result);
  while (cancelled_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  preview = cd_package_reader_read_finish (cancelled_result, &error);
  g_assert_null (preview);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_json (void)
{
  g_autoptr(CdPackagePreview) preview = read_ok ("cc13");
  g_autoptr(JsonNode) node = cd_package_preview_to_json (preview);
  JsonObject *root = json_node_get_object (node);
  JsonObject *counts = json_object_get_object_member (root, "counts");
  JsonArray *outline = json_object_get_array_member (root, "outline");
  JsonObject *unit1 = json_array_get_object_element (outline, 0);
  JsonArray *children = json_object_get_array_member (unit1, "children");
  JsonObject *lab = json_array_get_object_element (children, 1);

  g_assert_cmpstr (json_object_get_string_member (root, "kind"), ==, "common-cartridge");
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, "1.3");
  g_assert_cmpstr (json_object_get_string_member (root, "title"), ==, "Chemistry 201");
  g_assert_cmpstr (json_object_get_string_member (root, "code"), ==, "");
  g_assert_cmpint (json_object_get_int_member (counts, "assignment"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "scorm"), ==, 0);
  g_assert_cmpuint (json_array_get_length (outline), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (unit1, "type"), ==, "module");
  g_assert_cmpstr (json_object_get_string_member (lab, "title"), ==, "Lab");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (lab, "children")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "warnings")), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/package-reader/cc11", test_cc11);
  g_test_add_func ("/package-reader/cc13", test_cc13);
  g_test_add_func ("/package-reader/brightspace", test_brightspace);
  g_test_add_func ("/package-reader/scorm", test_scorm);
  g_test_add_func ("/package-reader/qti-and-plain", test_qti_and_plain);
  g_test_add_func ("/package-reader/no-manifest", test_no_manifest);
  g_test_add_func ("/package-reader/warnings", test_warnings);
  g_test_add_func ("/package-reader/hostile", test_hostile);
  g_test_add_func ("/package-reader/manifest-parse", test_manifest_parse);
  g_test_add_func ("/package-reader/symlink", test_symlink);
  g_test_add_func ("/package-reader/cancelled", test_cancelled);
  g_test_add_func ("/package-reader/missing-file", test_missing_file);
  g_test_add_func ("/package-reader/bomb", test_bomb);
  g_test_add_func ("/package-reader/async", test_async);
  g_test_add_func ("/package-reader/json", test_json);

  return g_test_run ();
}
