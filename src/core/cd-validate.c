/* cd-validate.c: the rules for what users type and servers send
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cd-validate.h"

G_DEFINE_QUARK (cd-validate-error-quark, cd_validate_error)

gboolean
cd_validate_offering_id (const char  *text,
                         gint64      *id,
                         GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  guint64 value = 0;

  *id = 0;

  if (stripped[0] == '\0')
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY,
                           _("No course offering ID was given."));
      return FALSE;
    }

  if (strspn (stripped, "0123456789") != strlen (stripped))
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_INVALID,
                           _("Use digits only: the number in the course’s address in "
                             "Brightspace, for example 6606."));
      return FALSE;
    }

  if (!g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXINT64, &value, NULL))
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_RANGE,
                           _("This number is too large to be a course offering ID."));
      return FALSE;
    }

  if (value == 0)
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_RANGE,
                           _("The course offering ID must be a positive number."));
      return FALSE;
    }

  *id = (gint64)value;
  return TRUE;
}

gboolean
cd_validate_job_token (const char  *text,
                       GError     **error)
{
  static const char allowed[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~";
  gsize length = text != NULL ? strlen (text) : 0;

  if (length == 0)
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY,
                           _("No job token was given."));
      return FALSE;
    }

  if (length > CD_VALIDATE_MAX_TOKEN_LENGTH || strspn (text, allowed) != length
      || strcmp (text, ".") == 0 || strcmp (text, "..") == 0)
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_INVALID,
                           _("This is not a job token. A job token is the number Coursedrop "
                             "printed as “Import job TOKEN”, for example 8840."));
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_short_number (const char *start,
                 gsize       length)
{
  return length >= 1 && length <= 3 && strspn (start, "0123456789") >= length;
}

gboolean
cd_validate_api_version (const char  *text,
                         GError     **error)
{
  const char *dot = text != NULL ? strchr (text, '.') : NULL;

  if (text == NULL || text[0] == '\0')
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY,
                           _("No API version was given."));
      return FALSE;
    }

  if (dot == NULL || !is_short_number (text, dot - text)
      || !is_short_number (dot + 1, strlen (dot + 1)))
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_INVALID,
                           _("An API version is two numbers with a dot between them, for "
                             "example 1.74. Leave it empty to use the newest the server "
                             "offers."));
      return FALSE;
    }

  return TRUE;
}

gboolean
cd_validate_hours (double      hours,
                   GTimeSpan  *span,
                   GError    **error)
{
  *span = 0;

  /* isfinite first: casting NaN or an infinity to an integer is undefined. */
  if (!isfinite (hours) || hours <= 0 || hours > CD_VALIDATE_MAX_HOURS)
    {
      g_set_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_RANGE,
                   _("Give a number of hours greater than 0 and at most %.0f (a year)."),
                   CD_VALIDATE_MAX_HOURS);
      return FALSE;
    }

  *span = (GTimeSpan)(hours * G_TIME_SPAN_HOUR);
  if (*span <= 0)
    *span = 1;
  return TRUE;
}

gboolean
cd_validate_offering_code (const char  *text,
                           GError     **error)
{
  static const char forbidden[] = "\\:*?\"<>|'#,%&\n\r";

  if (text == NULL || text[0] == '\0')
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_EMPTY,
                           _("No course offering code was given."));
      return FALSE;
    }

  if (!g_utf8_validate (text, -1, NULL) || strpbrk (text, forbidden) != NULL)
    {
      g_set_error_literal (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_INVALID,
                           _("A course offering code cannot contain \\ : * ? \" < > | ' # , "
                             "% & or a line break."));
      return FALSE;
    }

  if (g_utf8_strlen (text, -1) > CD_VALIDATE_MAX_CODE_LENGTH)
    {
      g_set_error (error, CD_VALIDATE_ERROR, CD_VALIDATE_ERROR_RANGE,
                   _("A course offering code can have at most %d characters."),
                   CD_VALIDATE_MAX_CODE_LENGTH);
      return FALSE;
    }

  return TRUE;
}
