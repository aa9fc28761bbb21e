/* cd-account-window-webkit.c: signing in inside Coursedrop, for https redirects
 *
 * A redirect URI on https reaches neither a loopback listener nor the
 * desktop's scheme handler.  When the coursedrop-webkit module is there
 * (built with the `webkit` feature; the Flatpak has it), the sign-in runs
 * in its window, which hands back the address Brightspace redirected to.
 * Without it the system browser opens and the user pastes that address.
 * The module is loaded on first use only: WebKitGTK is heavy to load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gmodule.h>

#include "cd-account-window-private.h"
#include "cd-gui-util.h"
#include "cd-webkit-signin.h"

static CdWebkitSigninNew
load_module (void)
{
  static CdWebkitSigninNew new_window;
  static gsize loaded;

  if (g_once_init_enter (&loaded))
    {
      g_autofree char *path = cd_find_data_file ("COURSEDROP_WEBKIT_MODULE",
                                                 CD_WEBKIT_SIGNIN_MODULE,
                                                 PKGLIBDIR G_DIR_SEPARATOR_S
                                                 CD_WEBKIT_SIGNIN_MODULE);
      GModule *module = path != NULL ? g_module_open (path, G_MODULE_BIND_LOCAL) : NULL;
      gpointer symbol = NULL;

      if (module != NULL && g_module_symbol (module, CD_WEBKIT_SIGNIN_SYMBOL, &symbol))
        {
          /* Its window type stays registered: the module may never go. */
          g_module_make_resident (module);
          new_window = (CdWebkitSigninNew) symbol;
        }
      else
        {
          g_debug ("No embedded sign-in (%s): the browser will open instead",
                   path == NULL ? "module not installed" : g_module_error ());
          g_clear_pointer (&module, g_module_close);
        }
      g_once_init_leave (&loaded, 1);
    }

  return new_window;
}

static void
redirected_cb (CdAccountWindow *self,
               const char      *uri)
{
  self->embedded = NULL;
  cd_account_window_finish_sign_in (self, uri);
}

static void
cancelled_cb (CdAccountWindow *self)
{
  self->embedded = NULL;
  _cd_account_window_cancel_clicked_cb (self);
}

gboolean
_cd_account_window_open_embedded (CdAccountWindow *self,
                                  const char      *url,
                                  const char      *redirect_uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (redirect_uri);
  CdWebkitSigninNew new_window;
  GtkWindow *window;

  if (scheme == NULL || g_ascii_strcasecmp (scheme, "https") != 0 ||
      (new_window = load_module ()) == NULL ||
      (window = new_window (GTK_WINDOW (self), url, redirect_uri)) == NULL)
    return FALSE;

  self->embedded = window;
  g_signal_connect_object (window, "redirected", G_CALLBACK (redirected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "cancelled", G_CALLBACK (cancelled_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (window);
  return TRUE;
}

void
_cd_account_window_close_embedded (CdAccountWindow *self)
{
  GtkWindow *window = g_steal_pointer (&self->embedded);

  if (window == NULL)
    return;

  g_signal_handlers_disconnect_by_data (window, self);
  gtk_window_destroy (window);
}
