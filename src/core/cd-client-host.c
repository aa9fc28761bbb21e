/* cd-client-host.c: which Brightspace addresses a client accepts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cd-client-private.h"

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;

  /* Only literals count: a name that merely resolves to 127.0.0.1 today
   * could point elsewhere tomorrow, and then keys would travel in clear. */
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Returns "scheme://host[:port]" or NULL with CD_CLIENT_ERROR_INVALID_HOST.
 * Messages echo only the scheme, host and port the user typed, so that a
 * pasted signed URL or a password never ends up in a dialog or a log. */
char *
_cd_client_normalize_host (const char  *host_url,
                           GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *host = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;
  int port;

  text = g_strstrip (g_strdup (host_url != NULL ? host_url : ""));
  if (*text == '\0')
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST,
                           _("Enter the address of your Brightspace site, such as "
                             "https://school.brightspace.com."));
      return NULL;
    }

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST,
                           _("This is not a web address. Enter the address of your "
                             "Brightspace site, such as https://school.brightspace.com."));
      return NULL;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST,
                           _("The address has no server name. Enter the address of your "
                             "Brightspace site, such as https://school.brightspace.com."));
      return NULL;
    }

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if ((port == 443 && g_ascii_strcasecmp (scheme, "https") == 0) ||
      (port == 80 && g_ascii_strcasecmp (scheme, "http") == 0))
    port = -1;

  if (strchr (host, ':') != NULL)
    base = port > 0 ? g_strdup_printf ("%s://[%s]:%d", scheme, host, port)
                    : g_strdup_printf ("%s://[%s]", scheme, host);
  else
    base = port > 0 ? g_strdup_printf ("%s://%s:%d", scheme, host, port)
                    : g_strdup_printf ("%s://%s", scheme, host);

  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST,
                           _("Remove the user name and password from the address; "
                             "Coursedrop signs in to Brightspace separately."));
      return NULL;
    }

  path = g_uri_get_path (uri);
  if ((path[0] != '\0' && strcmp (path, "/") != 0) ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST,
                   _("Enter only the address of the site, “%s”, without a path or "
                     "anything after it."), base);
      return NULL;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !host_is_loopback (host))
    {
      g_set_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_INVALID_HOST,
                   _("“%s” uses plain HTTP; Brightspace needs an https:// address."),
                   base);
      return NULL;
    }

  return g_steal_pointer (&base);
}

gboolean
cd_client_check_host (const char  *host_url,
                      GError     **error)
{
  g_autofree char *base = _cd_client_normalize_host (host_url, error);

  return base != NULL;
}
