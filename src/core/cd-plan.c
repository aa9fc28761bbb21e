/* cd-plan.c: reading a migration plan (RFC 4180 CSV) with line numbers
 *
 * Spreadsheets write what RFC 4180 allows and a little more: a UTF-8 BOM,
 * CRLF or LF, quoted fields with commas, quotes ("") and line breaks.
 * Each row remembers the line it starts on, so every problem can say
 * where it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-org-units.h"
#include "cd-plan.h"
#include "cd-validate.h"

/* Nothing sensible is longer; anything longer is not a plan. */
#define MAX_FIELD_LENGTH (64 * 1024)
#define MAX_PLAN_SIZE    (256 * 1024 * 1024)

enum { COL_PACKAGE, COL_OFFERING, COL_CODE, COL_NAME, COL_TEMPLATE, COL_SEMESTER, COL_START,
       COL_END, N_COLUMNS };

static const char * const column_names[N_COLUMNS] = {
  "package", "offering", "code", "name", "template", "semester", "start", "end",
};

struct _CdPlan
{
  GObject     parent_instance;

  char       *base_dir;
  GPtrArray  *rows;      /* CdPlanRow */
  GPtrArray  *problems;  /* CdPlanProblem */
  int         columns[N_COLUMNS];  /* field index, -1 when absent */
  guint       n_fields;
  GHashTable *new_offerings;  /* code (casefolded) → first CdPlanRow that describes it */
};

G_DEFINE_FINAL_TYPE (CdPlan, cd_plan, G_TYPE_OBJECT)

static void
row_free (CdPlanRow *row)
{
  g_free (row->package);
  g_free (row->offering);
  g_free (row->code);
  g_free (row->name);
  g_free (row->template);
  g_free (row->semester);
  g_free (row->start);
  g_free (row->end);
  g_free (row);
}

static void
problem_free (CdPlanProblem *problem)
{
  g_free (problem->message);
  g_free (problem);
}

static void
cd_plan_finalize (GObject *object)
{
  CdPlan *self = CD_PLAN (object);

  g_free (self->base_dir);
  g_ptr_array_unref (self->rows);
  g_ptr_array_unref (self->problems);
  g_hash_table_unref (self->new_offerings);

  G_OBJECT_CLASS (cd_plan_parent_class)->finalize (object);
}

static void
cd_plan_class_init (CdPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cd_plan_finalize;
}

static void
cd_plan_init (CdPlan *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify)problem_free);
  self->new_offerings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void G_GNUC_PRINTF (3, 4)
add_problem (CdPlan     *self,
             guint       line,
             const char *format,
             ...)
{
  CdPlanProblem *problem = g_new0 (CdPlanProblem, 1);
  va_list args;

  va_start (args, format);
  problem->line = line;
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (self->problems, problem);
}

char *
cd_plan_problem_format (const CdPlanProblem *problem)
{
  if (problem->line == 0)
    return g_strdup (problem->message);
  return g_strdup_printf (_("line %u: %s"), problem->line, problem->message);
}

/* --- the header --------------------------------------------------------------- */

static gboolean
read_header (CdPlan    *self,
             GPtrArray *fields)
{
  gboolean ok = TRUE;

  for (guint c = 0; c < N_COLUMNS; c++)
    self->columns[c] = -1;
  self->n_fields = fields->len;

  for (guint i = 0; i < fields->len; i++)
    {
      g_autofree char *copy = g_strstrip (g_strdup (g_ptr_array_index (fields, i)));
      g_autofree char *name = g_ascii_strdown (copy, -1);
      guint c;

      for (c = 0; c < N_COLUMNS && strcmp (name, column_names[c]) != 0; c++)
        ;

      if (c == N_COLUMNS)
        {
          add_problem (self, 1, _("unknown column “%s”; the known columns are %s"),
                       name, CD_PLAN_COLUMNS);
          ok = FALSE;
        }
      else if (self->columns[c] >= 0)
        {
          add_problem (self, 1, _("the column “%s” appears twice"), name);
          ok = FALSE;
        }
      else
        self->columns[c] = (int)i;
    }

  if (ok && self->columns[COL_PACKAGE] < 0)
    {
      add_problem (self, 1, _("the plan has no “package” column; the known columns are %s"),
                   CD_PLAN_COLUMNS);
      ok = FALSE;
    }
  if (ok && self->columns[COL_OFFERING] < 0 && self->columns[COL_CODE] < 0)
    {
      add_problem (self, 1, _("the plan needs an “offering” column, or “code”, “name” and "
                              "“template” columns for new offerings"));
      ok = FALSE;
    }

  return ok;
}

/* --- rows --------------------------------------------------------------------- */

static char *
field (CdPlan    *self,
       GPtrArray *fields,
       guint      column)
{
  int index = self->columns[column];
  const char *value;
  g_autofree char *stripped = NULL;

  if (index < 0)
    return NULL;
  value = g_ptr_array_index (fields, index);
  stripped = g_strstrip (g_strdup (value));
  return *stripped != '\0' ? g_steal_pointer (&stripped) : NULL;
}

static gboolean
check_reference (CdPlan     *self,
                 guint       line,
                 const char *column,
                 const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  gint64 id;

  if (text == NULL || cd_org_units_parse_reference (text, &id, &code, &error))
    return TRUE;
  add_problem (self, line, "%s: %s", column, error->message);
  return FALSE;
}

static gboolean
check_dates (CdPlan    *self,
             CdPlanRow *row)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GError) error = NULL;

  if (row->start != NULL && !(start = cd_org_units_parse_date (row->start, &error)))
    {
      add_problem (self, row->line, "start: %s", error->message);
      return FALSE;
    }
  if (row->end != NULL && !(end = cd_org_units_parse_date (row->end, &error)))
    {
      add_problem (self, row->line, "end: %s", error->message);
      return FALSE;
    }
  if (start != NULL && end != NULL && g_date_time_compare (end, start) < 0)
    {
      add_problem (self, row->line, _("the offering would end before it starts"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_text (const char *a,
           const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

/* A new offering may be named on several rows, but always the same way. */
static gboolean
check_new_offering (CdPlan    *self,
                    CdPlanRow *row)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  CdPlanRow *first;

  if (row->code == NULL || row->name == NULL || row->template == NULL)
    {
      add_problem (self, row->line, _("give either “offering”, or “code”, “name” and "
                                      "“template” for a new offering"));
      return FALSE;
    }
  if (!cd_validate_offering_code (row->code, &error))
    {
      add_problem (self, row->line, "code: %s", error->message);
      return FALSE;
    }
  if (!check_reference (self, row->line, "template", row->template) ||
      !check_reference (self, row->line, "semester", row->semester) ||
      !check_dates (self, row))
    return FALSE;

  key = g_utf8_casefold (row->code, -1);
  first = g_hash_table_lookup (self->new_offerings, key);
  if (first == NULL)
    {
      g_hash_table_insert (self->new_offerings, g_steal_pointer (&key), row);
      return TRUE;
    }
  if (!same_text (first->name, row->name) || !same_text (first->template, row->template) ||
      !same_text (first->semester, row->semester) || !same_text (first->start, row->start) ||
      !same_text (first->end, row->end))
    {
      add_problem (self, row->line, _("the offering “%s” is described differently on line %u"),
                   row->code, first->line);
      return FALSE;
    }
  return TRUE;
}

static void
read_row (CdPlan    *self,
          GPtrArray *fields,
          guint      line)
{
  CdPlanRow *row;
  gboolean blank = TRUE;
  g_autofree char *package = NULL;

  for (guint i = 0; i < fields->len; i++)
    blank = blank && *g_strstrip ((char *)g_ptr_array_index (fields, i)) == '\0';
  if (blank)
    return;

  if (fields->len != self->n_fields)
    {
      add_problem (self, line, _("%u fields where the header has %u"), fields->len,
                   self->n_fields);
      return;
    }

  if (!(package = field (self, fields, COL_PACKAGE)))
    {
      add_problem (self, line, _("no package"));
      return;
    }

  row = g_new0 (CdPlanRow, 1);
  row->line = line;
  row->package = g_path_is_absolute (package) ? g_canonicalize_filename (package, NULL)
                                              : g_canonicalize_filename (package, self->base_dir);
  row->offering = field (self, fields, COL_OFFERING);
  row->code = field (self, fields, COL_CODE);
  row->name = field (self, fields, COL_NAME);
  row->template = field (self, fields, COL_TEMPLATE);
  row->semester = field (self, fields, COL_SEMESTER);
  row->start = field (self, fields, COL_START);
  row->end = field (self, fields, COL_END);

  if (row->offering != NULL &&
      (row->code || row->name || row->template || row->semester || row->start || row->end))
    {
      add_problem (self, line, _("give either “offering”, or the columns of a new offering, "
                                 "not both"));
      row_free (row);
      return;
    }

  if (row->offering != NULL ? !check_reference (self, line, "offering", row->offering)
                            : !check_new_offering (self, row))
    {
      row_free (row);
      return;
    }

  g_ptr_array_add (self->rows, row);
}

/* --- CSV ------------------------------------------------------------------------- */

typedef struct
{
  const char *p;
  const char *end;
  guint       line;
} Reader;

static gboolean
at_line_end (Reader *r)
{
  return r->p < r->end && (*r->p == '\n' || *r->p == '\r');
}

static void
skip_line_end (Reader *r)
{
  if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
    r->p++;
  r->p++;
  r->line++;
}

/* One record; NULL at the end or after a problem that stops reading. */
static GPtrArray *
read_record (CdPlan *self,
             Reader *r)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) value = g_string_new (NULL);
  guint start_line = r->line;

  if (r->p >= r->end)
    return NULL;

  for (;;)
    {
      if (r->p < r->end && *r->p == '"')
        {
          guint quote_line = r->line;

          for (r->p++; ; r->p++)
            {
              if (r->p >= r->end)
                {
                  add_problem (self, quote_line, _("a quoted field is never closed"));
                  return NULL;
                }
              if (*r->p == '"' && r->p + 1 < r->end && r->p[1] == '"')
                {
                  g_string_append_c (value, '"');
                  r->p++;
                }
              else if (*r->p == '"')
                {
                  r->p++;
                  break;
                }
              else if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
                continue;  /* a CRLF inside quotes is a line break like LF */
              else
                {
                  if (*r->p == '\n')
                    r->line++;
                  g_string_append_c (value, *r->p);
                }
            }
        }

      /* Unquoted text, or what follows a closing quote. */
      while (r->p < r->end && *r->p != ',' && !at_line_end (r))
        g_string_append_c (value, *r->p++);

      if (value->len > MAX_FIELD_LENGTH)
        {
          add_problem (self, start_line, _("a field is longer than %u characters"),
                       MAX_FIELD_LENGTH);
          return NULL;
        }

      g_ptr_array_add (fields, g_string_free (g_steal_pointer (&value), FALSE));
      value = g_string_new (NULL);

      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end)
        skip_line_end (r);
      break;
    }

  return g_steal_pointer (&fields);
}

static void
parse (CdPlan     *self,
       const char *data,
       gsize       length)
{
  Reader r = { data, data + length, 1 };
  gboolean header_ok = FALSE;
  gboolean header_seen = FALSE;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    r.p += 3;

  if (!g_utf8_validate (r.p, r.end - r.p, NULL))
    {
      add_problem (self, 0, _("the plan is not UTF-8 text; save it from the spreadsheet as "
                              "“CSV UTF-8”"));
      return;
    }

  for (;;)
    {
      guint line = r.line;
      g_autoptr(GPtrArray) fields = read_record (self, &r);

      if (fields == NULL)
        break;

      if (!header_seen)
        {
          header_seen = TRUE;
          header_ok = read_header (self, fields);
          if (!header_ok)
            return;
        }
      else
        read_row (self, fields, line);
    }

  if (!header_seen)
    add_problem (self, 0, _("the plan is empty; its first line names the columns (%s)"),
                 CD_PLAN_COLUMNS);
  else if (header_ok && self->rows->len == 0 && self->problems->len == 0)
    add_problem (self, 0, _("the plan has no rows below its header"));
}

CdPlan *
cd_plan_new_from_data (const char *data,
                       gsize       length,
                       const char *base_dir)
{
  CdPlan *self = g_object_new (CD_TYPE_PLAN, NULL);

  self->base_dir = g_strdup (base_dir ? base_dir : ".");
  parse (self, data, length);
  return self;
}

CdPlan *
cd_plan_new_from_file (const char  *path,
                       GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  gsize length;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR || g_file_info_get_size (info) > MAX_PLAN_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not a plan: a plan is a CSV file of at most %u MiB."),
                   path, MAX_PLAN_SIZE / (1024 * 1024));
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  dir = parent ? g_file_get_path (parent) : g_get_current_dir ();
  return cd_plan_new_from_data (contents, length, dir);
}

guint
cd_plan_get_n_rows (CdPlan *self)
{
  g_return_val_if_fail (CD_IS_PLAN (self), 0);

  return self->rows->len;
}

const CdPlanRow *
cd_plan_get_row (CdPlan *self,
                 guint   index)
{
  g_return_val_if_fail (CD_IS_PLAN (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_ptr_array_index (self->rows, index);
}

GPtrArray *
cd_plan_get_problems (CdPlan *self)
{
  g_return_val_if_fail (CD_IS_PLAN (self), NULL);

  return self->problems;
}
