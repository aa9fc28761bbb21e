/* cd-sandbox-multipart.c: incremental multipart/form-data reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "cd-sandbox-multipart.h"

/* Part headers are small; anything bigger is a broken or hostile body. */
#define MAX_HEADER_BLOCK 16384
#define MAX_PADDING_LINE 1024

typedef enum {
  STATE_BODY,             /* in a part (or the preamble) until the next delimiter */
  STATE_AFTER_DELIMITER,  /* "--" closes, CRLF starts a part */
  STATE_HEADERS,
  STATE_DONE,
  STATE_ERROR,
} State;

struct _CdSandboxMultipart
{
  char       *delimiter;      /* "\r\n--" boundary */
  gsize       delimiter_len;
  char       *field;
  GByteArray *window;
  State       state;
  char       *error;

  gboolean    in_field;
  gboolean    found;
  char       *filename;
  goffset     size;
  GChecksum  *checksum;
  char       *sha256;
  guint8      magic[4];
  gsize       magic_len;
  goffset     fed;             /* bytes of the body fed so far */
  goffset     content_offset;  /* where the field's content starts in the body, or -1 */
};

static gssize
find_bytes (const guint8 *haystack,
            gsize         len,
            const char   *needle,
            gsize         needle_len)
{
  const guint8 *p = haystack;
  const guint8 *end = haystack + len;

  while ((gsize)(end - p) >= needle_len)
    {
      p = memchr (p, needle[0], (end - p) - needle_len + 1);
      if (p == NULL)
        return -1;
      if (memcmp (p, needle, needle_len) == 0)
        return p - haystack;
      p++;
    }

  return -1;
}

CdSandboxMultipart *
_cd_sandbox_multipart_new (const char *boundary,
                           const char *field)
{
  CdSandboxMultipart *self = g_new0 (CdSandboxMultipart, 1);

  self->delimiter = g_strconcat ("\r\n--", boundary, NULL);
  self->delimiter_len = strlen (self->delimiter);
  self->field = g_strdup (field);
  self->window = g_byte_array_new ();
  self->state = STATE_BODY;
  self->content_offset = -1;

  /* The first delimiter may open the body without a CRLF before it. */
  g_byte_array_append (self->window, (const guint8 *)"\r\n", 2);

  return self;
}

void
_cd_sandbox_multipart_free (CdSandboxMultipart *self)
{
  if (self == NULL)
    return;

  g_free (self->delimiter);
  g_free (self->field);
  g_byte_array_unref (self->window);
  g_free (self->error);
  g_free (self->filename);
  g_clear_pointer (&self->checksum, g_checksum_free);
  g_free (self->sha256);
  g_free (self);
}

static void
fail (CdSandboxMultipart *self,
      const char         *message)
{
  self->state = STATE_ERROR;
  g_free (self->error);
  self->error = g_strdup (message);
  g_byte_array_set_size (self->window, 0);
}

static void
emit_content (CdSandboxMultipart *self,
              const guint8       *data,
              gsize               len)
{
  if (!self->in_field || len == 0)
    return;

  /* @data is always the window's start, which is this far into the body. */
  if (self->size == 0)
    self->content_offset = self->fed - (goffset)self->window->len;

  g_checksum_update (self->checksum, data, len);
  self->size += len;

  while (self->magic_len < sizeof self->magic && len > 0)
    {
      self->magic[self->magic_len++] = *data++;
      len--;
    }
}

static void
start_part (CdSandboxMultipart *self,
            const char         *block,
            gsize               len)
{
  g_autofree char *text = g_strndup (block, len);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  self->in_field = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *filename = NULL;
      const char *colon = strchr (lines[i], ':');
      g_autofree char *header = NULL;

      if (colon == NULL)
        continue;

      header = g_strstrip (g_strndup (lines[i], colon - lines[i]));
      if (g_ascii_strcasecmp (header, "Content-Disposition") != 0)
        continue;

      if (!_cd_sandbox_parse_disposition (colon + 1, &name, &filename))
        continue;

      /* Only the first part with that name counts, like a form would. */
      if (!self->found && g_strcmp0 (name, self->field) == 0)
        {
          self->found = TRUE;
          self->in_field = TRUE;
          self->filename = g_steal_pointer (&filename);
          self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
        }
    }
}

static void
end_part (CdSandboxMultipart *self)
{
  if (!self->in_field)
    return;

  self->in_field = FALSE;
  self->sha256 = g_strdup (g_checksum_get_string (self->checksum));
}

/* Returns TRUE when it consumed something and should run again. */
static gboolean
step (CdSandboxMultipart *self)
{
  GByteArray *w = self->window;
  gssize at;

  switch (self->state)
    {
    case STATE_BODY:
      at = find_bytes (w->data, w->len, self->delimiter, self->delimiter_len);
      if (at >= 0)
        {
          emit_content (self, w->data, at);
          g_byte_array_remove_range (w, 0, at + self->delimiter_len);
          end_part (self);
          self->state = STATE_AFTER_DELIMITER;
          return TRUE;
        }

      /* Keep back what could be the start of a split delimiter. */
      if (w->len >= self->delimiter_len)
        {
          gsize safe = w->len - (self->delimiter_len - 1);

          emit_content (self, w->data, safe);
          g_byte_array_remove_range (w, 0, safe);
        }
      return FALSE;

    case STATE_AFTER_DELIMITER:
      if (w->len < 2)
        return FALSE;

      if (memcmp (w->data, "--", 2) == 0)
        {
          self->state = STATE_DONE;
          g_byte_array_set_size (w, 0);
          return FALSE;
        }

      at = find_bytes (w->data, w->len, "\r\n", 2);
      if (at < 0)
        {
          if (w->len > MAX_PADDING_LINE)
            fail (self, "Malformed multipart boundary line");
          return FALSE;
        }

      /* RFC 2046 allows transport padding (whitespace) after a boundary. */
      for (gssize i = 0; i < at; i++)
        {
          if (w->data[i] != ' ' && w->data[i] != '\t')
            {
              fail (self, "Malformed multipart boundary line");
              return FALSE;
            }
        }

      g_byte_array_remove_range (w, 0, at + 2);
      self->state = STATE_HEADERS;
      return TRUE;

    case STATE_HEADERS:
      if (w->len >= 2 && memcmp (w->data, "\r\n", 2) == 0)
        {
          start_part (self, "", 0);
          g_byte_array_remove_range (w, 0, 2);
          self->state = STATE_BODY;
          return TRUE;
        }

      at = find_bytes (w->data, w->len, "\r\n\r\n", 4);
      if (at < 0)
        {
          if (w->len > MAX_HEADER_BLOCK)
            fail (self, "Multipart part headers are too long");
          return FALSE;
        }

      start_part (self, (const char *)w->data, at);
      g_byte_array_remove_range (w, 0, at + 4);
      self->state = STATE_BODY;
      return TRUE;

    case STATE_DONE:
    case STATE_ERROR:
    default:
      g_byte_array_set_size (w, 0);
      return FALSE;
    }
}

void
_cd_sandbox_multipart_feed (CdSandboxMultipart *self,
                            const guint8       *data,
                            gsize               len)
{
  if (self->state == STATE_DONE || self->state == STATE_ERROR)
    return;

  g_byte_array_append (self->window, data, len);
  self->fed += (goffset)len;
  while (step (self))
    ;
}

gboolean
_cd_sandbox_multipart_finish (CdSandboxMultipart  *self,
                              GError             **error)
{
  if (self->state == STATE_ERROR)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, self->error);
      return FALSE;
    }

  if (self->state != STATE_DONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The multipart body has no closing boundary");
      return FALSE;
    }

  return TRUE;
}

gboolean
_cd_sandbox_multipart_found (CdSandboxMultipart *self)
{
  return self->found && self->sha256 != NULL;
}

const char *
_cd_sandbox_multipart_get_filename (CdSandboxMultipart *self)
{
  return self->filename;
}

goffset
_cd_sandbox_multipart_get_offset (CdSandboxMultipart *self)
{
  return self->content_offset;
}

goffset
_cd_sandbox_multipart_get_size (CdSandboxMultipart *self)
{
  return self->size;
}

const char *
_cd_sandbox_multipart_get_sha256 (CdSandboxMultipart *self)
{
  return self->sha256;
}

const guint8 *
_cd_sandbox_multipart_get_magic (CdSandboxMultipart *self,
                                 gsize              *len)
{
  *len = self->magic_len;
  return self->magic;
}

/* Browsers escape only these three in form file names (HTML5 §4.10.21.8). */
static char *
html5_unescape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] != '\0' && p[2] != '\0')
        {
          if (p[1] == '2' && p[2] == '2')
            {
              g_string_append_c (out, '"');
              p += 2;
              continue;
            }
          if (p[1] == '0' && (p[2] == 'D' || p[2] == 'd'))
            {
              g_string_append_c (out, '\r');
              p += 2;
              continue;
            }
          if (p[1] == '0' && (p[2] == 'A' || p[2] == 'a'))
            {
              g_string_append_c (out, '\n');
              p += 2;
              continue;
            }
        }
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/* charset'language'percent-encoded (RFC 5987 / RFC 8187). */
static char *
rfc5987_decode (const char *value)
{
  const char *q1 = strchr (value, '\'');
  const char *q2 = q1 ? strchr (q1 + 1, '\'') : NULL;
  g_autofree char *charset = NULL;
  g_autofree char *raw = NULL;

  if (q2 == NULL)
    return NULL;

  charset = g_strndup (value, q1 - value);
  raw = g_uri_unescape_string (q2 + 1, NULL);
  if (raw == NULL)
    return NULL;

  if (g_ascii_strcasecmp (charset, "UTF-8") == 0)
    return g_utf8_validate (raw, -1, NULL) ? g_steal_pointer (&raw) : NULL;
  if (g_ascii_strcasecmp (charset, "ISO-8859-1") == 0)
    return g_convert (raw, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);

  return NULL;
}

static char *
read_value (const char **pp)
{
  const char *p = *pp;
  GString *out = g_string_new (NULL);

  while (*p == ' ' || *p == '\t')
    p++;

  if (*p == '"')
    {
      for (p++; *p != '\0' && *p != '"'; p++)
        {
          /* Accept RFC 7230 quoted-pairs for '"' and '\' only: HTML5 forms
           * send other backslashes (Windows-ish names) raw. */
          if (p[0] == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
          g_string_append_c (out, *p);
        }
      if (*p == '"')
        p++;
      while (*p != '\0' && *p != ';')
        p++;
    }
  else
    {
      while (*p != '\0' && *p != ';')
        g_string_append_c (out, *p++);
      g_strchomp (out->str);
      g_string_set_size (out, strlen (out->str));
    }

  *pp = p;
  return g_string_free (out, FALSE);
}

gboolean
_cd_sandbox_parse_disposition (const char  *value,
                               char       **name,
                               char       **filename)
{
  g_autofree char *plain = NULL;
  g_autofree char *extended = NULL;
  g_autofree char *field = NULL;
  const char *p = value;

  *name = NULL;
  *filename = NULL;

  while (*p == ' ' || *p == '\t')
    p++;
  if (g_ascii_strncasecmp (p, "form-data", 9) != 0)
    return FALSE;
  p += 9;

  while (*p != '\0')
    {
      g_autofree char *key = NULL;
      g_autofree char *val = NULL;
      const char *start;

      while (*p == ';' || *p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;

      start = p;
      while (*p != '\0' && *p != '=' && *p != ';')
        p++;
      key = g_strstrip (g_strndup (start, p - start));
      if (*p != '=')
        continue;
      p++;
      val = read_value (&p);

      if (g_ascii_strcasecmp (key, "name") == 0 && field == NULL)
        field = html5_unescape (val);
      else if (g_ascii_strcasecmp (key, "filename") == 0 && plain == NULL)
        plain = html5_unescape (val);
      else if (g_ascii_strcasecmp (key, "filename*") == 0 && extended == NULL)
        extended = rfc5987_decode (val);
    }

  if (field == NULL)
    return FALSE;

  /* RFC 6266 §4.3: filename* wins when the receiver understands it. */
  if (extended == NULL && plain != NULL)
    {
      if (g_utf8_validate (plain, -1, NULL))
        extended = g_steal_pointer (&plain);
      else
        extended = g_utf8_make_valid (plain, -1);
    }

  *name = g_steal_pointer (&field);
  *filename = g_steal_pointer (&extended);
  return TRUE;
}
