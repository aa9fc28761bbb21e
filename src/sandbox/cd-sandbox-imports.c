/* cd-sandbox-imports.c: the LE import upload route and job timelines
 *
 * A job's status and log routes are in cd-sandbox-import-status.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "cd-sandbox-multipart.h"
#include "cd-sandbox-private.h"

#define UPLOAD_KEY "cd-sandbox-upload"

typedef struct
{
  char               *path;          /* (nullable) temp file, removed on free */
  GOutputStream      *out;
  CdSandboxMultipart *parser;
  gint64              org_unit_id;
  char               *callback_url;  /* (nullable) */
  goffset             received;
  goffset             cut_at;        /* 0: never */
  gboolean            cut;
  GError             *error;         /* first write error */
} Upload;

/* --- timelines ------------------------------------------------------------ */

static void
stage_free (CdSandboxStage *stage)
{
  g_free (stage->status);
  g_free (stage);
}

static gboolean
status_word_ok (const char *word)
{
  if (*word == '\0')
    return FALSE;

  for (const char *p = word; *p != '\0'; p++)
    {
      if (!g_ascii_isgraph (*p) || *p == ':' || *p == ',' || *p == '=')
        return FALSE;
    }

  return TRUE;
}

GPtrArray *
_cd_sandbox_timeline_parse (const char  *spec,
                            GError     **error)
{
  g_autoptr(GPtrArray) timeline = g_ptr_array_new_with_free_func ((GDestroyNotify)stage_free);
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);
  guint n = g_strv_length (items);

  for (guint i = 0; i < n; i++)
    {
      char *item = g_strstrip (items[i]);
      char *colon = strchr (item, ':');
      gboolean last = i + 1 == n;
      CdSandboxStage *stage;
      double seconds = -1;

      if (colon != NULL)
        {
          char *end = NULL;

          *colon = '\0';
          seconds = g_ascii_strtod (colon + 1, &end);
          if (last || end == colon + 1 || *end != '\0' || !isfinite (seconds) || seconds < 0)
            goto invalid;
        }
      else if (!last)
        goto invalid;

      if (!status_word_ok (item))
        goto invalid;

      stage = g_new0 (CdSandboxStage, 1);
      stage->status = g_strdup (item);
      stage->seconds = seconds;
      g_ptr_array_add (timeline, stage);
    }

  if (timeline->len > 0)
    return g_steal_pointer (&timeline);

invalid:
  g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
               "Timeline “%s” is not STATUS:SECONDS,…,FINAL", spec);
  return NULL;
}

char *
_cd_sandbox_timeline_to_string (GPtrArray *timeline)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < timeline->len; i++)
    {
      CdSandboxStage *stage = g_ptr_array_index (timeline, i);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, stage->status);
      if (stage->seconds >= 0)
        g_string_append_printf (out, ":%s", g_ascii_dtostr (buf, sizeof buf, stage->seconds));
    }

  return g_string_free (out, FALSE);
}

/* The stage a job is in now, and when (µs after the start) it began. */
guint
_cd_sandbox_job_current_stage (CdSandboxJob *job,
                               gint64       *stage_starts)
{
  gint64 elapsed = g_get_monotonic_time () - job->started_mono;
  gint64 start = 0;
  guint i;

  for (i = 0; i < job->timeline->len; i++)
    {
      CdSandboxStage *stage = g_ptr_array_index (job->timeline, i);
      gint64 length = (gint64)(stage->seconds * G_USEC_PER_SEC);

      if (stage_starts != NULL)
        stage_starts[i] = start;
      if (stage->seconds < 0 || elapsed < start + length)
        break;
      start += length;
    }

  return MIN (i, job->timeline->len - 1);
}

const char *
_cd_sandbox_job_status (CdSandboxJob *job)
{
  guint current = _cd_sandbox_job_current_stage (job, NULL);

  return ((CdSandboxStage *)g_ptr_array_index (job->timeline, current))->status;
}

void
_cd_sandbox_job_free (CdSandboxJob *job)
{
  g_free (job->token);
  g_free (job->filename);
  g_free (job->sha256);
  g_free (job->callback_url);
  g_ptr_array_unref (job->timeline);
  g_clear_object (&job->preview);
  g_clear_pointer (&job->skipped, g_ptr_array_unref);
  g_free (job);
}

/* --- uploads ------------------------------------------------------------------ */

static void
upload_free (Upload *upload)
{
  if (upload->out != NULL)
    g_output_stream_close (upload->out, NULL, NULL);
  g_clear_object (&upload->out);

  /* Only metadata is kept, unless the file was moved to --upload-dir. */
  if (upload->path != NULL)
    g_unlink (upload->path);
  g_free (upload->path);

  g_clear_pointer (&upload->parser, _cd_sandbox_multipart_free);
  g_free (upload->callback_url);
  g_clear_error (&upload->error);
  g_free (upload);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              Upload            *upload)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (upload->cut)
    return;

  if (upload->error == NULL)
    g_output_stream_write_all (upload->out, data, len, NULL, NULL, &upload->error);

  _cd_sandbox_multipart_feed (upload->parser, data, len);
  upload->received += len;

  if (upload->cut_at > 0 && upload->received >= upload->cut_at)
    {
      GSocket *socket = soup_server_message_get_socket (msg);
      struct linger reset = { 1, 0 };

      /* Drop the connection the way a failing network does: a reset, so the
       * client's next write fails at once.  (A mere shutdown() leaves the
       * client writing into a stalled window until its timeout.)  libsoup's
       * next read on the closed socket fails and it forgets the message. */
      upload->cut = TRUE;
      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      g_socket_close (socket, NULL);
    }
}

void
_cd_sandbox_upload_early (CdSandbox         *self,
                          SoupServerMessage *msg,
                          GHashTable        *query,
                          CdSandboxRoute    *route)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *template = NULL;
  const char *content_type, *boundary, *dir;
  Upload *upload;
  int fd = -1;

  /* Never hold a package in memory, not even one about to be refused. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (!_cd_sandbox_check_auth (self, msg, query))
    return;

  if (!route->version_ok)
    {
      _cd_sandbox_respond_not_found (msg);
      return;
    }

  if (!_cd_sandbox_check_offering (self, msg, route->org_unit_id))
    return;

  if (_cd_sandbox_hostile_upload_early (self, msg))
    return;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      _cd_sandbox_respond_text (msg, SOUP_STATUS_LENGTH_REQUIRED,
                                "text/plain; charset=utf-8", "Length Required");
      return;
    }

  content_type = soup_message_headers_get_content_type (headers, &params);
  boundary = params ? g_hash_table_lookup (params, "boundary") : NULL;
  if (content_type == NULL || g_ascii_strcasecmp (content_type, "multipart/form-data") != 0 ||
      boundary == NULL || *boundary == '\0')
    {
      _cd_sandbox_respond_text (msg, SOUP_STATUS_BAD_REQUEST, "text/plain; charset=utf-8",
                                "Expected multipart/form-data with a part named \"file\"");
      return;
    }

  dir = _cd_sandbox_ensure_upload_dir (self, &error);
  if (dir != NULL)
    {
      template = g_build_filename (dir, "coursedrop-upload-XXXXXX", NULL);
      fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          int saved_errno = errno;

          g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot create a file in %s: %s", dir, g_strerror (saved_errno));
        }
    }

  if (error != NULL)
    {
      g_warning ("Cannot store an upload: %s", error->message);
      _cd_sandbox_respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                "text/plain; charset=utf-8", "Cannot store the upload");
      return;
    }

  upload = g_new0 (Upload, 1);
  upload->path = g_steal_pointer (&template);
  upload->out = g_unix_output_stream_new (fd, TRUE);
  upload->parser = _cd_sandbox_multipart_new (boundary, "file");
  upload->org_unit_id = route->org_unit_id;
  upload->callback_url = g_strdup (query ? g_hash_table_lookup (query, "callbackUrl") : NULL);

  if (self->cut_uploads > 0)
    {
      self->cut_uploads--;
      upload->cut_at = MAX (soup_message_headers_get_content_length (headers) / 2, 1);
    }

  g_object_set_data_full (G_OBJECT (msg), UPLOAD_KEY, upload, (GDestroyNotify)upload_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), upload);
}

static gboolean
is_zip (CdSandboxMultipart *parser)
{
  gsize len;
  const guint8 *magic = _cd_sandbox_multipart_get_magic (parser, &len);

  /* A local file header, or the end record of an empty archive. */
  return len == 4 &&
         (memcmp (magic, "PK\x03\x04", 4) == 0 || memcmp (magic, "PK\x05\x06", 4) == 0);
}

void
_cd_sandbox_respond_bad_request (SoupServerMessage *msg,
                                 const char        *text)
{
  _cd_sandbox_respond_text (msg, SOUP_STATUS_BAD_REQUEST, "text/plain; charset=utf-8", text);
}

void
_cd_sandbox_upload_finish (CdSandbox         *self,
                           SoupServerMessage *msg,
                           CdSandboxRoute    *route)
{
  Upload *upload = g_object_get_data (G_OBJECT (msg), UPLOAD_KEY);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  CdSandboxJob *job;
  GPtrArray *timeline;

  if (upload == NULL || upload->cut)
    {
      /* A cut upload never gets here with a live socket; the status only
       * keeps libsoup from running further handlers. */
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      return;
    }

  if (upload->error == NULL)
    g_output_stream_close (upload->out, NULL, &upload->error);
  if (upload->error != NULL)
    {
      g_warning ("Cannot store an upload: %s", upload->error->message);
      _cd_sandbox_respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                "text/plain; charset=utf-8", "Cannot store the upload");
      return;
    }

  if (!_cd_sandbox_multipart_finish (upload->parser, &error))
    {
      _cd_sandbox_respond_bad_request (msg, error->message);
      return;
    }

  if (!_cd_sandbox_multipart_found (upload->parser))
    {
      _cd_sandbox_respond_bad_request (msg, "The form has no part named \"file\"");
      return;
    }

  if (!is_zip (upload->parser))
    {
      _cd_sandbox_respond_bad_request (msg, "The course package is not a zip archive");
      return;
    }

  timeline = g_hash_table_lookup (self->offering_timelines, &upload->org_unit_id);

  job = g_new0 (CdSandboxJob, 1);
  job->token_number = self->next_token++;
  job->token = g_strdup_printf ("%u", job->token_number);
  job->org_unit_id = upload->org_unit_id;
  job->filename = g_strdup (_cd_sandbox_multipart_get_filename (upload->parser));
  job->size = _cd_sandbox_multipart_get_size (upload->parser);
  job->sha256 = g_strdup (_cd_sandbox_multipart_get_sha256 (upload->parser));
  job->callback_url = g_steal_pointer (&upload->callback_url);
  job->timeline = g_ptr_array_ref (timeline ? timeline : self->timeline);
  job->started_mono = g_get_monotonic_time ();
  job->started_server = _cd_sandbox_server_now_usec (self);

  _cd_sandbox_content_read (self, job, upload->path,
                            _cd_sandbox_multipart_get_offset (upload->parser), job->size);

  if (self->upload_dir != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s.zip", job->token);
      g_autofree char *kept = g_build_filename (self->upload_dir, name, NULL);

      /* The whole multipart body, as received, so it can be inspected. */
      if (g_rename (upload->path, kept) == 0)
        g_clear_pointer (&upload->path, g_free);
      else
        g_warning ("Cannot keep the upload as %s: %s", kept, g_strerror (errno));
    }

  g_hash_table_insert (self->jobs, job->token, job);
  g_ptr_array_add (self->job_order, job);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "JobToken");
  json_builder_add_string_value (builder, job->token);
  json_builder_end_object (builder);
  _cd_sandbox_respond_json (msg, SOUP_STATUS_OK, builder);
  _cd_sandbox_hostile_upload_done (self, msg);
}
