/* cd-test-proxy.c: a TCP proxy in front of the sandbox that can go away
 *
 * Plain blocking sockets on threads: every wait takes the generation's
 * GCancellable, so that refusing wakes them all, and they are joined
 * before the sockets close.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-test-proxy.h"

struct _CdTestProxy
{
  GMutex          lock;
  char           *url;
  guint16         port;
  GSocketAddress *target;
  guint           accepted;

  /* One generation: from listening to refusing. */
  GSocket        *listener;     /* (nullable) while refusing */
  GCancellable   *cancellable;
  GThread        *accept_thread;
  GPtrArray      *threads;      /* the pumps' GThreads */
  GPtrArray      *sockets;      /* both ends of every connection */
};

typedef struct
{
  GSocket      *from;
  GSocket      *to;
  GCancellable *cancellable;
} Pump;

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;
  char buffer[16384];
  gssize n;

  while ((n = g_socket_receive (pump->from, buffer, sizeof buffer, pump->cancellable, NULL)) > 0)
    for (gssize sent = 0, m; sent < n; sent += m)
      if ((m = g_socket_send (pump->to, buffer + sent, n - sent, pump->cancellable, NULL)) <= 0)
        goto out;

out:
  /* The other side reads the end of what came; it closes in its turn. */
  g_socket_shutdown (pump->to, FALSE, TRUE, NULL);
  g_object_unref (pump->from);
  g_object_unref (pump->to);
  g_object_unref (pump->cancellable);
  g_free (pump);
  return NULL;
}

static void
start_pump (CdTestProxy *self,
            GSocket     *from,
            GSocket     *to)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->from = g_object_ref (from);
  pump->to = g_object_ref (to);
  pump->cancellable = g_object_ref (self->cancellable);
  g_ptr_array_add (self->threads, g_thread_new ("proxy-pump", pump_thread, pump));
}

static gpointer
accept_thread (gpointer data)
{
  CdTestProxy *self = data;
  GSocket *listener;
  GCancellable *cancellable;

  g_mutex_lock (&self->lock);
  listener = g_object_ref (self->listener);
  cancellable = g_object_ref (self->cancellable);
  g_mutex_unlock (&self->lock);

  for (;;)
    {
      g_autoptr(GSocket) client = g_socket_accept (listener, cancellable, NULL);
      g_autoptr(GSocket) upstream = NULL;

      if (client == NULL)
        break;

      g_mutex_lock (&self->lock);
      self->accepted++;
      g_mutex_unlock (&self->lock);

      upstream = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, NULL);
      if (upstream == NULL || !g_socket_connect (upstream, self->target, cancellable, NULL))
        continue;

      g_mutex_lock (&self->lock);
      g_ptr_array_add (self->sockets, g_object_ref (client));
      g_ptr_array_add (self->sockets, g_object_ref (upstream));
      start_pump (self, client, upstream);
      start_pump (self, upstream, client);
      g_mutex_unlock (&self->lock);
    }

  g_object_unref (listener);
  g_object_unref (cancellable);
  return NULL;
}

static void
listen_again (CdTestProxy *self)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, self->port);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *listener;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                           &error);
  g_assert_no_error (error);
  /* The same port again after refusing: the CLI knows only that one.  Its
   * connections closed a moment ago may still linger (TIME_WAIT). */
  for (guint i = 0; !g_socket_bind (listener, address, TRUE, &error); i++)
    {
      g_assert_cmpuint (i, <, 100);
      g_clear_error (&error);
      g_usleep (100 * 1000);
    }
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  g_mutex_lock (&self->lock);
  self->listener = listener;
  self->cancellable = g_cancellable_new ();
  self->threads = g_ptr_array_new ();
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_unlock (&self->lock);
  self->accept_thread = g_thread_new ("proxy-accept", accept_thread, self);
}

CdTestProxy *
cd_test_proxy_new (const char *target_url)
{
  CdTestProxy *self = g_new0 (CdTestProxy, 1);
  g_autoptr(GUri) uri = g_uri_parse (target_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  g_assert_nonnull (uri);
  g_mutex_init (&self->lock);
  self->target = g_inet_socket_address_new (loopback, (guint16)g_uri_get_port (uri));
  listen_again (self);
  self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);

  return self;
}

const char *
cd_test_proxy_get_url (CdTestProxy *self)
{
  return self->url;
}

guint
cd_test_proxy_get_accepted (CdTestProxy *self)
{
  guint accepted;

  g_mutex_lock (&self->lock);
  accepted = self->accepted;
  g_mutex_unlock (&self->lock);

  return accepted;
}

void
cd_test_proxy_refuse (CdTestProxy *self)
{
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) sockets = NULL;

  if (self->listener == NULL)
    return;

  /* Nobody listens from here on: new connections are refused. */
  g_socket_close (self->listener, NULL);
  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->accept_thread);

  g_mutex_lock (&self->lock);
  threads = g_steal_pointer (&self->threads);
  sockets = g_steal_pointer (&self->sockets);
  g_clear_object (&self->listener);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  /* And every connection open through the proxy is cut. */
  for (guint i = 0; i < sockets->len; i++)
    g_socket_close (g_ptr_array_index (sockets, i), NULL);
  g_clear_object (&self->cancellable);
  self->accept_thread = NULL;
}

void
cd_test_proxy_accept_again (CdTestProxy *self)
{
  if (self->listener == NULL)
    listen_again (self);
}

void
cd_test_proxy_free (CdTestProxy *self)
{
  cd_test_proxy_refuse (self);
  g_object_unref (self->target);
  g_mutex_clear (&self->lock);
  g_free (self->url);
  g_free (self);
}
