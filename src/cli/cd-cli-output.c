/* cd-cli-output.c: what coursedrop-cli import prints, as text or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cd-cli-output.h"
#include "cd-time-format.h"

struct _CdCliOutput
{
  gboolean  json;
  gboolean  tty;
  gboolean  bar_shown;
  gint64    upload_started;  /* monotonic µs */
};

static gboolean
is_unsafe (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

static char *
escape (const char *untrusted,
        gboolean    keep_lines)
{
  const char *p = untrusted;
  const char *end;
  GString *out;

  if (untrusted == NULL)
    return g_strdup ("");

  end = p + strlen (p);
  out = g_string_sized_new (end - p);

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }

      if (keep_lines && c == '\n')
        g_string_append_c (out, '\n');
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x80 && is_unsafe (c))
        g_string_append_printf (out, "\\x%02x", c);
      else if (is_unsafe (c))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);

      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

char *
cd_cli_escape (const char *untrusted)
{
  return escape (untrusted, FALSE);
}

char *
cd_cli_escape_lines (const char *untrusted)
{
  return escape (untrusted, TRUE);
}

CdCliOutput *
cd_cli_output_new (gboolean json,
                   gboolean stderr_is_tty)
{
  CdCliOutput *out = g_new0 (CdCliOutput, 1);

  out->json = json;
  out->tty = stderr_is_tty;

  return out;
}

void
cd_cli_output_free (CdCliOutput *out)
{
  g_free (out);
}

/* Prints one JSON event as a single line and flushes, for pipelines. */
static void
emit (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  g_print ("%s\n", text);
  fflush (stdout);
}

static JsonBuilder *
event (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);

  return builder;
}

static void
end_bar (CdCliOutput *out)
{
  if (out->bar_shown)
    {
      g_printerr ("\n");
      out->bar_shown = FALSE;
    }
}

void
cd_cli_output_token (CdCliOutput *out,
                     const char  *token,
                     gint64       offering_id)
{
  end_bar (out);

  if (out->json)
    {
      g_autoptr(JsonBuilder) builder = event ("token");

      json_builder_set_member_name (builder, "token");
      json_builder_add_string_value (builder, token);
      json_builder_set_member_name (builder, "offering");
      json_builder_add_int_value (builder, offering_id);
      emit (builder);
      return;
    }

  /* Not translated: scripts written for D2L's sample read this line. */
  g_autofree char *safe = cd_cli_escape (token);
  g_print ("Import job %s status:\n", safe);
  fflush (stdout);
}

void
cd_cli_output_status (CdCliOutput *out,
                      const char  *word)
{
  end_bar (out);

  if (out->json)
    {
      g_autoptr(JsonBuilder) builder = event ("status");

      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, word);
      emit (builder);
      return;
    }

  g_autofree char *safe = cd_cli_escape (word);
  g_print ("%s\n", safe);
  fflush (stdout);
}

void
cd_cli_output_progress (CdCliOutput *out,
                        const char  *name,
                        goffset      sent,
                        goffset      total)
{
  g_autofree char *done = NULL;
  g_autofree char *all = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *safe_name = NULL;
  double elapsed, percent;
  char bar[31];
  guint filled;

  if (out->upload_started == 0)
    out->upload_started = g_get_monotonic_time ();

  if (out->json)
    {
      g_autoptr(JsonBuilder) builder = event ("progress");

      json_builder_set_member_name (builder, "sent");
      json_builder_add_int_value (builder, sent);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, total);
      emit (builder);
      return;
    }

  if (!out->tty || total <= 0)
    return;

  percent = 100.0 * (double)sent / (double)total;
  filled = (guint)(percent * 30 / 100);
  memset (bar, '#', filled);
  memset (bar + filled, '-', 30 - filled);
  bar[30] = '\0';
  elapsed = (double)(g_get_monotonic_time () - out->upload_started) / G_USEC_PER_SEC;
  done = g_format_size (sent);
  all = g_format_size (total);
  rate = g_format_size (elapsed > 0.1 ? (guint64)(sent / elapsed) : 0);

  /* Translators: the upload progress bar: file name, bar, percentage,
   * bytes sent, bytes in all, speed. */
  safe_name = cd_cli_escape (name);
  g_printerr ("\r");
  g_printerr (_("%s [%s] %3.0f%%  %s of %s  %s/s "), safe_name, bar, percent, done, all, rate);
  out->bar_shown = TRUE;
}

void
cd_cli_output_uploaded (CdCliOutput *out,
                        goffset      bytes,
                        double       seconds)
{
  g_autofree char *size = g_format_size (bytes);
  g_autofree char *rate = g_format_size (seconds > 0 ? (guint64)(bytes / seconds) : 0);

  end_bar (out);

  if (out->json)
    {
      g_autoptr(JsonBuilder) builder = event ("uploaded");

      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, bytes);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_double_value (builder, seconds);
      emit (builder);
      return;
    }

  if (out->tty)
    /* Translators: size, seconds, speed. */
    g_printerr (_("Uploaded %s in %.1f s (%s/s).\n"), size, seconds, rate);
}

char *
cd_cli_describe_retry (CdImportJob *job,
                       JsonBuilder *builder)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *message = cd_import_job_dup_retry_message (job, now);
  gint64 next = cd_import_job_get_retry_time (job);

  if (message == NULL)
    return NULL;

  if (builder != NULL)
    {
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, cd_import_job_get_retry_reason (job));
      json_builder_set_member_name (builder, "delay_ms");
      json_builder_add_int_value (builder, next > now ? (next - now) / 1000 : 0);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
    }

  return cd_cli_escape (message);
}

/* Once per attempt: the job says what is wrong and when it tries again. */
void
cd_cli_output_retrying (CdCliOutput *out,
                        CdImportJob *job)
{
  g_autoptr(JsonBuilder) builder = out->json ? event ("retrying") : NULL;
  g_autofree char *safe = cd_cli_describe_retry (job, builder);

  if (safe == NULL)
    return;

  end_bar (out);
  g_printerr ("%s\n", safe);
  if (builder != NULL)
    emit (builder);
}

void
cd_cli_output_error (CdCliOutput  *out,
                     const GError *error)
{
  g_autofree char *safe = cd_cli_escape_lines (error->message);

  end_bar (out);
  g_printerr ("coursedrop-cli: %s\n", safe);

  if (out->json)
    {
      g_autoptr(JsonBuilder) builder = event ("error");

      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error->message);
      emit (builder);
    }
}

void
cd_cli_output_interrupted (CdCliOutput *out)
{
  end_bar (out);

  if (out->json)
    {
      g_autoptr(JsonBuilder) builder = event ("interrupted");
      emit (builder);
    }
}

void
cd_cli_print_log_entries (FILE      *stream,
                          GPtrArray *entries)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      CdImportLogEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *when = entry->time != NULL ? cd_time_format (entry->time)
                                                  : g_strdup ("-");
      /* One line per entry, whatever the server put in it. */
      g_autofree char *message = cd_cli_escape (entry->message);

      fprintf (stream, "%-8s %s  %s\n", cd_import_log_type_to_string (entry->type), when,
               message);
    }
}

JsonNode *
cd_cli_log_entries_to_json (GPtrArray *entries)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      CdImportLogEntry *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_int_value (builder, entry->type);
      json_builder_set_member_name (builder, "time");
      if (entry->time != NULL)
        {
          g_autofree char *iso = g_date_time_format_iso8601 (entry->time);
          json_builder_add_string_value (builder, iso);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, entry->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

static guint
count_type (GPtrArray       *entries,
            CdImportLogType  type)
{
  guint n = 0;

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    n += ((CdImportLogEntry *)g_ptr_array_index (entries, i))->type == type;

  return n;
}

static void verified_json (const CdVerification *verification);
static void verified_text (const CdVerification *verification);

void
cd_cli_output_finished (CdCliOutput *out,
                        CdImportJob *job)
{
  const GError *error = cd_import_job_get_error (job);
  const CdVerification *verification = error == NULL ? cd_import_job_get_verification (job) : NULL;
  GPtrArray *logs = cd_import_job_get_logs (job);
  g_autofree char *safe = error != NULL ? cd_cli_escape_lines (error->message) : NULL;

  end_bar (out);

  if (out->json)
    {
      g_autoptr(JsonBuilder) builder = event ("finished");

      /* Before "finished", which stays the last event. */
      if (verification != NULL)
        verified_json (verification);

      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, cd_import_job_get_status_text (job));
      json_builder_set_member_name (builder, "succeeded");
      json_builder_add_boolean_value (builder, cd_import_job_succeeded (job));
      json_builder_set_member_name (builder, "error");
      if (error != NULL)
        json_builder_add_string_value (builder, error->message);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "logs");
      json_builder_add_value (builder, cd_cli_log_entries_to_json (logs));
      emit (builder);

      if (error != NULL && error->domain != CD_JOB_ERROR)
        g_printerr ("coursedrop-cli: %s\n", safe);
      return;
    }

  if (error == NULL)
    {
      guint warnings = count_type (logs, CD_IMPORT_LOG_WARNING);

      if (warnings > 0)
        {
          g_autoptr(GPtrArray) notable = g_ptr_array_new ();

          for (guint i = 0; i < logs->len; i++)
            {
              CdImportLogEntry *entry = g_ptr_array_index (logs, i);

              if (entry->type == CD_IMPORT_LOG_WARNING || entry->type == CD_IMPORT_LOG_ERROR)
                g_ptr_array_add (notable, entry);
            }

          g_printerr (g_dngettext (GETTEXT_PACKAGE, "Brightspace logged %u warning:\n",
                                   "Brightspace logged %u warnings:\n", warnings), warnings);
          cd_cli_print_log_entries (stderr, notable);
        }
      if (verification != NULL)
        verified_text (verification);
      return;
    }

  if (error->domain == CD_JOB_ERROR)
    {
      /* The failure and its log are the result: standard output. */
      g_print ("%s\n", safe);
      cd_cli_print_log_entries (stdout, logs);
      fflush (stdout);
    }
  else
    g_printerr ("coursedrop-cli: %s\n", safe);
}

/* "quiz “Week 1 Quiz”, file “Notes”": titles come from the package. */
static char *
describe_items (GPtrArray *items)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      CdContentItem *item = g_ptr_array_index (items, i);
      g_autofree char *safe = cd_cli_escape (item->title);

      if (i > 0)
        g_string_append (text, _(", "));
      /* Translators: a kind of item ("quiz") and its title */
      g_string_append_printf (text, _("%s “%s”"),
                              cd_package_item_type_to_string (item->type), safe);
    }

  return g_string_free (text, FALSE);
}

static void
verified_json (const CdVerification *verification)
{
  g_autoptr(JsonBuilder) builder = event ("verified");
  g_autoptr(JsonNode) result = cd_verification_to_json ((CdVerification *)verification);
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, verification->not_verified == NULL);
  json_object_iter_init (&iter, json_node_get_object (result));
  while (json_object_iter_next (&iter, &name, &value))
    {
      json_builder_set_member_name (builder, name);
      json_builder_add_value (builder, json_node_copy (value));
    }
  emit (builder);
}

/* The summary goes to standard error: standard output keeps the shape of
 * D2L's sample script. */
static void
verified_text (const CdVerification *verification)
{
  if (verification->not_verified != NULL)
    {
      g_autofree char *safe = cd_cli_escape (verification->not_verified);

      g_printerr (_("Not verified: %s\n"), safe);
      return;
    }

  /* A package with nothing to check (no outline) says nothing. */
  if (verification->expected == 0)
    return;

  if (verification->missing->len == 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "The %u item arrived.\n", "All %u items arrived.\n",
                             verification->expected),
                verification->expected);
  else
    {
      g_autofree char *missing = describe_items (verification->missing);

      g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u of %u item arrived; missing: %s\n",
                               "%u of %u items arrived; missing: %s\n", verification->expected),
                  verification->arrived, verification->expected, missing);
    }

  if (verification->broken->len > 0)
    {
      g_autofree char *broken = describe_items (verification->broken);

      g_printerr (_("Brightspace marks these as broken: %s\n"), broken);
    }
}
