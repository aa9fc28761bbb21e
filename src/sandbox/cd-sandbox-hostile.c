/* cd-sandbox-hostile.c: a server that misbehaves on purpose
 *
 * Answers no real Brightspace gives, for testing that the client survives
 * them: JSON nested too deep, endless bodies, silence, one byte at a
 * time, absurd clocks, uploads whose answer never comes or is cut short,
 * and a reader slow enough to change a package while it is being sent.
 * Anything beyond what SoupServer can express is written on the raw,
 * stolen connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-sandbox-private.h"

#define DEEP_LEVELS   100000
#define HUGE_CHUNK    65536
#define SLOW_READ_TICK_MS 100

typedef struct
{
  CdSandbox      *self;         /* unowned: only used while the connection is open */
  GIOStream      *io;
  GCancellable   *cancellable;
  CdSandboxFault  kind;
  guint           arg;
  guint64         limit;        /* HUGE_BODY: bytes of body to send, 0 for no end */
  guint64         sent;
  guint           timer_id;
  gboolean        closed;
} RawConnection;

static RawConnection *
raw_ref (RawConnection *raw)
{
  return g_rc_box_acquire (raw);
}

static void
raw_clear (RawConnection *raw)
{
  g_clear_object (&raw->io);
  g_clear_object (&raw->cancellable);
}

static void
raw_unref (RawConnection *raw)
{
  g_rc_box_release_full (raw, (GDestroyNotify) raw_clear);
}

static void
raw_close (RawConnection *raw)
{
  if (raw->closed)
    return;

  raw->closed = TRUE;
  g_cancellable_cancel (raw->cancellable);
  g_clear_handle_id (&raw->timer_id, g_source_remove);
  g_io_stream_close (raw->io, NULL, NULL);
  raw->self->raw = g_list_remove (raw->self->raw, raw);
  raw_unref (raw);
}

void
_cd_sandbox_close_raw (CdSandbox *self)
{
  while (self->raw != NULL)
    raw_close (self->raw->data);
}

/* --- reading: drained (slowly, for SLOW_READ) until the client hangs up -------- */

static void raw_read_next (RawConnection *raw);

static gboolean
raw_read_tick_cb (gpointer user_data)
{
  RawConnection *raw = user_data;

  raw->timer_id = 0;
  raw_read_next (raw);

  return G_SOURCE_REMOVE;
}

static void
raw_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawConnection *raw = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result,
                                                              NULL);

  if (!raw->closed)
    {
      if (bytes == NULL || g_bytes_get_size (bytes) == 0)
        raw_close (raw);
      else if (raw->kind == CD_SANDBOX_FAULT_UPLOAD_SLOW_READ)
        raw->timer_id = g_timeout_add (SLOW_READ_TICK_MS, raw_read_tick_cb, raw);
      else
        raw_read_next (raw);
    }

  raw_unref (raw);
}

static void
raw_read_next (RawConnection *raw)
{
  gsize count = 16384;

  if (raw->kind == CD_SANDBOX_FAULT_UPLOAD_SLOW_READ)
    count = (gsize) (raw->arg > 0 ? raw->arg : 1024) * 1024 * SLOW_READ_TICK_MS / 1000;

  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (raw->io), MAX (count, 1),
                                   G_PRIORITY_DEFAULT, raw->cancellable, raw_read_cb,
                                   raw_ref (raw));
}

/* --- writing ------------------------------------------------------------------ */

typedef void (*RawThen) (RawConnection *raw);

typedef struct
{
  RawConnection *raw;
  GBytes        *bytes;
  RawThen        then;
} RawWrite;

static void
raw_write_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RawWrite *write = user_data;
  RawConnection *raw = write->raw;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);

  if (!raw->closed)
    {
      if (!ok)
        raw_close (raw);
      else if (write->then != NULL)
        write->then (raw);
    }

  g_bytes_unref (write->bytes);
  raw_unref (raw);
  g_free (write);
}

static void
raw_write (RawConnection *raw,
           GBytes        *bytes,
           RawThen        then)
{
  RawWrite *write = g_new0 (RawWrite, 1);

  write->raw = raw_ref (raw);
  write->bytes = g_bytes_ref (bytes);
  write->then = then;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (raw->io),
                                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, raw->cancellable, raw_write_cb, write);
}

static void
raw_write_text (RawConnection *raw,
                const char    *text,
                RawThen        then)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  raw_write (raw, bytes, then);
}

static const char chunked_head[] =
  "HTTP/1.1 200 OK\r\n"
  "Content-Type: application/json; charset=utf-8\r\n"
  "Transfer-Encoding: chunked\r\n"
  "Connection: close\r\n"
  "\r\n";

/* HUGE_BODY: {"Status":"xxxx… in 64 KiB chunks, each made when the last
 * one was written, so the sandbox never holds more than one. */
static void
huge_next (RawConnection *raw)
{
  static GBytes *chunk;

  if (g_once_init_enter (&chunk))
    {
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text, "%x\r\n", HUGE_CHUNK);
      for (guint i = 0; i < HUGE_CHUNK; i++)
        g_string_append_c (text, 'x');
      g_string_append (text, "\r\n");
      g_once_init_leave (&chunk, g_string_free_to_bytes (g_steal_pointer (&text)));
    }

  if (raw->limit > 0 && raw->sent >= raw->limit)
    {
      raw_write_text (raw, "2\r\n\"}\r\n0\r\n\r\n", raw_close);
      return;
    }

  raw->sent += HUGE_CHUNK;
  raw->self->bytes_served += HUGE_CHUNK;
  raw_write (raw, chunk, huge_next);
}

static void
huge_start (RawConnection *raw)
{
  raw_write_text (raw, "b\r\n{\"Status\":\"\r\n", huge_next);
}

/* DRIP: one space, a valid start of any JSON, every @arg ms. */
static gboolean
drip_cb (gpointer user_data)
{
  RawConnection *raw = user_data;

  raw->self->bytes_served++;
  raw_write_text (raw, "1\r\n \r\n", NULL);

  return G_SOURCE_CONTINUE;
}

static void
drip_start (RawConnection *raw)
{
  raw->timer_id = g_timeout_add (MAX (raw->arg, 1), drip_cb, raw);
}

static RawConnection *
raw_take (CdSandbox         *self,
          SoupServerMessage *msg,
          CdSandboxFault     kind,
          guint              arg)
{
  RawConnection *raw = g_rc_box_new0 (RawConnection);

  raw->self = self;
  raw->io = soup_server_message_steal_connection (msg);
  raw->cancellable = g_cancellable_new ();
  raw->kind = kind;
  raw->arg = arg;
  self->raw = g_list_prepend (self->raw, raw);

  /* Reading all along notices the client hanging up. */
  raw_read_next (raw);

  return raw;
}

/* --- GET faults ------------------------------------------------------------------ */

gboolean
_cd_sandbox_fault_is_hostile (CdSandboxFault kind)
{
  return kind >= CD_SANDBOX_FAULT_DEEP_JSON && kind <= CD_SANDBOX_FAULT_BAD_TIME;
}

static void
respond_deep (SoupServerMessage *msg,
              guint              status)
{
  char *text = g_malloc (2 * DEEP_LEVELS);

  memset (text, '[', DEEP_LEVELS);
  memset (text + DEEP_LEVELS, ']', DEEP_LEVELS);
  soup_server_message_set_status (msg, status > 0 ? status : SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
                                    text, 2 * DEEP_LEVELS);
}

void
_cd_sandbox_hostile_reply (CdSandbox           *self,
                           SoupServerMessage   *msg,
                           CdSandboxFaultEntry *fault)
{
  g_autofree char *text = NULL;
  RawConnection *raw;

  if (fault->answer)
    {
      soup_server_message_set_status (msg, fault->arg > 0 ? fault->arg : SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                        SOUP_MEMORY_COPY, fault->body, strlen (fault->body));
      return;
    }

  switch (fault->kind)
    {
    case CD_SANDBOX_FAULT_DEEP_JSON:
      respond_deep (msg, fault->arg);
      break;

    case CD_SANDBOX_FAULT_BAD_TIME:
      text = g_strdup_printf ("Timestamp out of range %" G_GINT64_FORMAT,
                              fault->arg > 0 ? (gint64) fault->arg : G_MAXINT64);
      _cd_sandbox_respond_text (msg, SOUP_STATUS_FORBIDDEN, "text/plain; charset=utf-8", text);
      break;

    case CD_SANDBOX_FAULT_HUGE_BODY:
      raw = raw_take (self, msg, fault->kind, fault->arg);
      raw->limit = (guint64) fault->arg * 1024 * 1024;
      raw_write_text (raw, chunked_head, huge_start);
      break;

    case CD_SANDBOX_FAULT_DRIP:
      raw = raw_take (self, msg, fault->kind, fault->arg);
      raw_write_text (raw, chunked_head, drip_start);
      break;

    case CD_SANDBOX_FAULT_SILENT:
      raw_take (self, msg, fault->kind, fault->arg);
      break;

    case CD_SANDBOX_FAULT_SERVER_ERROR:
    case CD_SANDBOX_FAULT_RATE_LIMIT:
    case CD_SANDBOX_FAULT_BROKEN_JSON:
    case CD_SANDBOX_FAULT_SLOW:
    case CD_SANDBOX_FAULT_CUT_UPLOAD:
    case CD_SANDBOX_FAULT_UPLOAD_NO_ANSWER:
    case CD_SANDBOX_FAULT_UPLOAD_CUT_ANSWER:
    case CD_SANDBOX_FAULT_UPLOAD_SLOW_ANSWER:
    case CD_SANDBOX_FAULT_UPLOAD_SLOW_READ:
    case CD_SANDBOX_FAULT_EVIL_TEXT:
    default:
      g_assert_not_reached ();
    }
}

/* --- upload faults --------------------------------------------------------------- */

static CdSandboxFaultEntry *
take_upload_fault (CdSandbox *self,
                   gboolean   early)
{
  CdSandboxFaultEntry *head = g_queue_peek_head (&self->upload_faults);
  CdSandboxFaultEntry *copy;

  if (head == NULL || (head->kind == CD_SANDBOX_FAULT_UPLOAD_SLOW_READ) != early)
    return NULL;

  copy = g_memdup2 (head, sizeof *head);
  copy->body = g_strdup (head->body);
  if (--head->remaining == 0)
    _cd_sandbox_fault_entry_free (g_queue_pop_head (&self->upload_faults));

  return copy;
}

gboolean
_cd_sandbox_hostile_upload_early (CdSandbox         *self,
                                  SoupServerMessage *msg)
{
  g_autoptr(CdSandboxFaultEntry) fault = take_upload_fault (self, TRUE);

  if (fault == NULL)
    return FALSE;

  /* The rest of the body is read off the raw connection, slowly. */
  raw_take (self, msg, fault->kind, fault->arg);
  return TRUE;
}

void
_cd_sandbox_hostile_upload_done (CdSandbox         *self,
                                 SoupServerMessage *msg)
{
  g_autoptr(CdSandboxFaultEntry) fault = NULL;
  RawConnection *raw;

  /* Only an upload that was received and started a job. */
  if (soup_server_message_get_status (msg) != SOUP_STATUS_OK ||
      !(fault = take_upload_fault (self, FALSE)))
    return;

  if (fault->answer)
    {
      /* set_response() appends to the answer already made. */
      soup_message_body_truncate (soup_server_message_get_response_body (msg));
      soup_server_message_set_status (msg, fault->arg > 0 ? fault->arg : SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                        SOUP_MEMORY_COPY, fault->body, strlen (fault->body));
      return;
    }

  switch (fault->kind)
    {
    case CD_SANDBOX_FAULT_UPLOAD_NO_ANSWER:
      raw = raw_take (self, msg, fault->kind, fault->arg);
      raw_close (raw);
      break;

    case CD_SANDBOX_FAULT_UPLOAD_CUT_ANSWER:
      raw = raw_take (self, msg, fault->kind, fault->arg);
      raw_write_text (raw,
                      "HTTP/1.1 200 OK\r\n"
                      "Content-Type: application/json; charset=utf-8\r\n"
                      "Content-Length: 64\r\n"
                      "\r\n"
                      "{\"JobTok",
                      raw_close);
      break;

    case CD_SANDBOX_FAULT_UPLOAD_SLOW_ANSWER:
      _cd_sandbox_delay_reply (self, msg, fault->arg);
      break;

    case CD_SANDBOX_FAULT_SERVER_ERROR:
    case CD_SANDBOX_FAULT_RATE_LIMIT:
    case CD_SANDBOX_FAULT_BROKEN_JSON:
    case CD_SANDBOX_FAULT_SLOW:
    case CD_SANDBOX_FAULT_CUT_UPLOAD:
    case CD_SANDBOX_FAULT_DEEP_JSON:
    case CD_SANDBOX_FAULT_HUGE_BODY:
    case CD_SANDBOX_FAULT_SILENT:
    case CD_SANDBOX_FAULT_DRIP:
    case CD_SANDBOX_FAULT_BAD_TIME:
    case CD_SANDBOX_FAULT_UPLOAD_SLOW_READ:
    case CD_SANDBOX_FAULT_EVIL_TEXT:
    default:
      break;
    }
}
