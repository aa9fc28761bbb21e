/* cd-webkit-signin.c: the embedded OAuth sign-in (the coursedrop-webkit module)
 *
 * Brightspace sends the browser to the registered redirect URI with the
 * code and state in its query.  When that URI is an https address of the
 * school's, no loopback listener and no desktop scheme handler sees it, so
 * the sign-in runs here: the web view shows D2L's login pages, and the
 * navigation to the redirect URI is caught in decide-policy and never
 * loaded — the code goes to Coursedrop, not to that server.
 *
 * The header shows the address of the page on screen, so that a person
 * typing a password can see whose page it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <gmodule.h>
#include <webkit/webkit.h>

#include "cd-webkit-signin.h"

#define CD_TYPE_WEBKIT_SIGNIN (cd_webkit_signin_get_type ())
G_DECLARE_FINAL_TYPE (CdWebkitSignin, cd_webkit_signin, CD, WEBKIT_SIGNIN, GtkWindow)

struct _CdWebkitSignin
{
  GtkWindow      parent_instance;

  WebKitWebView *view;
  GtkLabel      *address;
  GUri          *redirect;   /* (owned) */
  gboolean       finished;
};

G_DEFINE_FINAL_TYPE (CdWebkitSignin, cd_webkit_signin, GTK_TYPE_WINDOW)

enum { REDIRECTED, CANCELLED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The same endpoint as the registered URI: scheme, host, port and path
 * (RFC 6749 §3.1.2 compares them; the query carries the answer). */
static gboolean
is_redirect (CdWebkitSignin *self,
             const char     *uri)
{
  g_autoptr(GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL) : NULL;
  const char *host, *want_host;

  if (parsed == NULL)
    return FALSE;

  host = g_uri_get_host (parsed);
  want_host = g_uri_get_host (self->redirect);
  return g_ascii_strcasecmp (g_uri_get_scheme (parsed), g_uri_get_scheme (self->redirect)) == 0 &&
         g_ascii_strcasecmp (host != NULL ? host : "", want_host != NULL ? want_host : "") == 0 &&
         g_uri_get_port (parsed) == g_uri_get_port (self->redirect) &&
         g_strcmp0 (g_uri_get_path (parsed), g_uri_get_path (self->redirect)) == 0;
}

static gboolean
destroy_cb (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
finish (CdWebkitSignin *self,
        const char     *uri)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  webkit_web_view_stop_loading (self->view);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  g_signal_emit (self, signals[REDIRECTED], 0, uri);
  /* Not from inside WebKit's own signal: it still uses the view. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, destroy_cb, g_object_ref (self), g_object_unref);
}

static gboolean
decide_policy_cb (CdWebkitSignin           *self,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type)
{
  WebKitNavigationAction *action;
  g_autofree char *uri = NULL;

  if (type != WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION &&
      type != WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (
    WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = g_strdup (webkit_uri_request_get_uri (webkit_navigation_action_get_request (action)));
  if (!is_redirect (self, uri))
    return FALSE;

  /* Never loaded: the code must not reach the redirect's server. */
  webkit_policy_decision_ignore (decision);
  finish (self, uri);
  return TRUE;
}

/* Where the page on screen comes from, for the person signing in. */
static void
uri_changed_cb (CdWebkitSignin *self)
{
  const char *uri = webkit_web_view_get_uri (self->view);
  g_autoptr(GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autofree char *origin = NULL;

  if (parsed != NULL && g_uri_get_host (parsed) != NULL)
    origin = g_uri_get_port (parsed) > 0
               ? g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (parsed),
                                  g_uri_get_host (parsed), g_uri_get_port (parsed))
               : g_strdup_printf ("%s://%s", g_uri_get_scheme (parsed), g_uri_get_host (parsed));
  gtk_label_set_text (self->address, origin != NULL ? origin : "");
}

static gboolean
cd_webkit_signin_close_request (GtkWindow *window)
{
  CdWebkitSignin *self = CD_WEBKIT_SIGNIN (window);

  if (!self->finished)
    {
      self->finished = TRUE;
      g_signal_emit (self, signals[CANCELLED], 0);
    }

  return GTK_WINDOW_CLASS (cd_webkit_signin_parent_class)->close_request (window);
}

static void
cd_webkit_signin_finalize (GObject *object)
{
  CdWebkitSignin *self = CD_WEBKIT_SIGNIN (object);

  g_clear_pointer (&self->redirect, g_uri_unref);

  G_OBJECT_CLASS (cd_webkit_signin_parent_class)->finalize (object);
}

static void
cd_webkit_signin_class_init (CdWebkitSigninClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->finalize = cd_webkit_signin_finalize;
  window_class->close_request = cd_webkit_signin_close_request;
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0,
                                       "window.close", NULL);

  signals[REDIRECTED] = g_signal_new ("redirected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static GtkWidget *
make_title (CdWebkitSignin *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (_("Sign In to Brightspace"));

  gtk_widget_add_css_class (title, "title");
  self->address = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->address), "subtitle");
  gtk_label_set_ellipsize (self->address, PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_selectable (self->address, FALSE);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->address));
  return box;
}

static void
cd_webkit_signin_init (CdWebkitSignin *self)
{
  g_autoptr(WebKitNetworkSession) session = webkit_network_session_new_ephemeral ();
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  g_signal_connect_object (cancel, "clicked", G_CALLBACK (gtk_window_close), self,
                           G_CONNECT_SWAPPED);
  /* GTK 4.8 would read the mnemonic's underscore out. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (cancel),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cancel Sign-In"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Stop signing in; nothing is saved"), -1);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), cancel);
  gtk_header_bar_set_show_title_buttons (GTK_HEADER_BAR (header), FALSE);
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), make_title (self));
  gtk_window_set_titlebar (GTK_WINDOW (self), header);
  gtk_window_set_title (GTK_WINDOW (self), _("Sign In to Brightspace"));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 720);

  self->view = g_object_new (WEBKIT_TYPE_WEB_VIEW, "network-session", session, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Brightspace sign-in page"), -1);
  g_signal_connect_object (self->view, "decide-policy", G_CALLBACK (decide_policy_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::uri", G_CALLBACK (uri_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_set_child (GTK_WINDOW (self), GTK_WIDGET (self->view));
}

G_MODULE_EXPORT GtkWindow *
cd_webkit_signin_new (GtkWindow  *parent,
                      const char *url,
                      const char *redirect_uri)
{
  g_autoptr(GUri) redirect = NULL;
  CdWebkitSignin *self;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (redirect_uri != NULL, NULL);

  if ((redirect = g_uri_parse (redirect_uri, G_URI_FLAGS_ENCODED, NULL)) == NULL)
    return NULL;

  self = g_object_new (CD_TYPE_WEBKIT_SIGNIN, "transient-for", parent, "modal", TRUE,
                       "destroy-with-parent", TRUE, NULL);
  self->redirect = g_steal_pointer (&redirect);
  webkit_web_view_load_uri (self->view, url);
  return GTK_WINDOW (self);
}
