/* cd-settings.c: the app's GSettings, when its schema is installed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-certificate.h"
#include "cd-client.h"
#include "cd-settings.h"

GSettings *
cd_settings_open (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found; no account is saved", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

/* The host part of an entry, or NULL for a malformed one. */
static char *
entry_host (const char *entry)
{
  const char *equals = strchr (entry, '=');

  return equals != NULL ? g_strndup (entry, equals - entry) : NULL;
}

char *
cd_settings_dup_trusted_certificate (GSettings  *settings,
                                     const char *host_url)
{
  g_auto(GStrv) entries = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (host_url != NULL, NULL);

  host = cd_certificate_host_for_url (host_url);
  if (host == NULL)
    return NULL;

  entries = g_settings_get_strv (settings, "trusted-certificates");
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *entry_name = entry_host (entries[i]);

      if (entry_name != NULL && g_ascii_strcasecmp (entry_name, host) == 0)
        return cd_certificate_normalize_fingerprint (entries[i] + strlen (entry_name) + 1, NULL);
    }

  return NULL;
}

gboolean
cd_settings_set_trusted_certificate (GSettings   *settings,
                                     const char  *host_url,
                                     const char  *sha256,
                                     GError     **error)
{
  g_auto(GStrv) entries = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;
  g_autofree char *host = NULL;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (host_url != NULL, FALSE);

  host = cd_certificate_host_for_url (host_url);
  if (host == NULL)
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST,
                   _("“%s” is not a web address, so no certificate can be trusted for it."),
                   host_url);
      return FALSE;
    }

  if (sha256 != NULL && !(fingerprint = cd_certificate_normalize_fingerprint (sha256, error)))
    return FALSE;

  builder = g_strv_builder_new ();
  entries = g_settings_get_strv (settings, "trusted-certificates");
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *entry_name = entry_host (entries[i]);

      /* One certificate per host: a renewed one replaces the old pin. */
      if (entry_name == NULL || g_ascii_strcasecmp (entry_name, host) != 0)
        g_strv_builder_add (builder, entries[i]);
    }
  if (fingerprint != NULL)
    {
      g_autofree char *entry = g_strdup_printf ("%s=%s", host, fingerprint);

      g_strv_builder_add (builder, entry);
    }

  updated = g_strv_builder_end (builder);
  if (!g_settings_set_strv (settings, "trusted-certificates", (const char * const *) updated))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           _("The list of trusted certificates cannot be changed here. "
                             "Ask your administrator, who may have locked this setting."));
      return FALSE;
    }

  return TRUE;
}
