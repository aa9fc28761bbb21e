/* cd-sandbox.c: a local Brightspace stand-in on SoupServer
 *
 * The type, its offerings, credentials and listener.  The setters for job
 * timelines and faults are in cd-sandbox-behaviour.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <string.h>

#include "cd-idkey.h"
#include "cd-sandbox-private.h"

G_DEFINE_QUARK (cd-sandbox-error-quark, cd_sandbox_error)

G_DEFINE_FINAL_TYPE (CdSandbox, cd_sandbox, G_TYPE_OBJECT)

/* g_set_str () is GLib 2.76. */
static void
replace_str (char       **field,
             const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static void
offering_free (CdSandboxOffering *offering)
{
  g_free (offering->name);
  g_free (offering->code);
  g_free (offering);
}

static void
add_offering (CdSandbox  *self,
              gint64      id,
              const char *name,
              const char *code)
{
  CdSandboxOffering *offering = g_new0 (CdSandboxOffering, 1);

  offering->id = id;
  offering->name = g_strdup (name);
  offering->code = g_strdup (code);
  g_hash_table_replace (self->offerings, &offering->id, offering);
}

static void
cd_sandbox_dispose (GObject *object)
{
  CdSandbox *self = CD_SANDBOX (object);

  /* Pending SLOW replies hold their messages: let them go before the server. */
  _cd_sandbox_cancel_delayed (self);
  _cd_sandbox_close_raw (self);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (cd_sandbox_parent_class)->dispose (object);
}

static void
cd_sandbox_finalize (GObject *object)
{
  CdSandbox *self = CD_SANDBOX (object);

  g_free (self->url);
  g_free (self->app_id);
  g_free (self->app_key);
  g_free (self->user_id);
  g_free (self->user_key);
  g_hash_table_unref (self->offerings);
  g_hash_table_unref (self->forbidden);
  g_ptr_array_unref (self->timeline);
  g_hash_table_unref (self->offering_timelines);
  g_queue_clear_full (&self->get_faults, (GDestroyNotify) _cd_sandbox_fault_entry_free);
  g_queue_clear_full (&self->upload_faults, (GDestroyNotify) _cd_sandbox_fault_entry_free);
  g_ptr_array_unref (self->job_order);
  g_hash_table_unref (self->jobs);
  g_free (self->upload_dir);
  g_free (self->trusted_url);
  _cd_sandbox_org_units_free (self->org_units);

  G_OBJECT_CLASS (cd_sandbox_parent_class)->finalize (object);
}

static void
cd_sandbox_class_init (CdSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_sandbox_dispose;
  object_class->finalize = cd_sandbox_finalize;
}

static void
cd_sandbox_init (CdSandbox *self)
{
  self->app_id = g_strdup (CD_SANDBOX_DEFAULT_APP_ID);
  self->app_key = g_strdup (CD_SANDBOX_DEFAULT_APP_KEY);
  self->user_id = g_strdup (CD_SANDBOX_DEFAULT_USER_ID);
  self->user_key = g_strdup (CD_SANDBOX_DEFAULT_USER_KEY);
  self->tolerance = 300;
  self->log_page_size = 5;
  self->next_token = CD_SANDBOX_FIRST_JOB_TOKEN;

  self->offerings = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                           NULL, (GDestroyNotify)offering_free);
  self->forbidden = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->offering_timelines = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                    g_free, (GDestroyNotify)g_ptr_array_unref);
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal,
                                      NULL, (GDestroyNotify)_cd_sandbox_job_free);
  self->job_order = g_ptr_array_new ();
  g_queue_init (&self->get_faults);
  g_queue_init (&self->upload_faults);
  self->org_units = _cd_sandbox_org_units_new ();

  self->timeline = _cd_sandbox_timeline_parse (CD_SANDBOX_DEFAULT_TIMELINE, NULL);
  g_assert (self->timeline != NULL);

  add_offering (self, 6606, "Biology 101", "BIO101");
  add_offering (self, 12345, "Introduction to Chemistry", "CHEM110");
}

CdSandbox *
cd_sandbox_new (void)
{
  return g_object_new (CD_TYPE_SANDBOX, NULL);
}

void
cd_sandbox_set_credentials (CdSandbox  *self,
                            const char *app_id,
                            const char *app_key,
                            const char *user_id,
                            const char *user_key)
{
  g_return_if_fail (CD_IS_SANDBOX (self));
  g_return_if_fail (app_id != NULL && app_key != NULL);
  g_return_if_fail (user_id != NULL && user_key != NULL);

  replace_str (&self->app_id, app_id);
  replace_str (&self->app_key, app_key);
  replace_str (&self->user_id, user_id);
  replace_str (&self->user_key, user_key);
  self->user_key_expired = FALSE;
  self->signed_requests = 0;
}

void
cd_sandbox_get_credentials (CdSandbox   *self,
                            const char **app_id,
                            const char **app_key,
                            const char **user_id,
                            const char **user_key)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  if (app_id)
    *app_id = self->app_id;
  if (app_key)
    *app_key = self->app_key;
  if (user_id)
    *user_id = self->user_id;
  if (user_key)
    *user_key = self->user_key;
}

void
cd_sandbox_set_tolerance (CdSandbox *self,
                          gint64     seconds)
{
  g_return_if_fail (CD_IS_SANDBOX (self));
  g_return_if_fail (seconds >= 0);

  self->tolerance = seconds;
}

void
cd_sandbox_set_skew (CdSandbox *self,
                     gint64     seconds)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  self->skew = seconds;
}

gboolean
_cd_sandbox_parse_id (const char *text,
                      gint64     *id)
{
  return g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL);
}

gboolean
cd_sandbox_add_offering (CdSandbox   *self,
                         const char  *spec,
                         GError     **error)
{
  g_autofree char *id_text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *code = NULL;
  const char *colon, *semicolon;
  gint64 id;

  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  colon = strchr (spec, ':');
  if (colon == NULL)
    {
      g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                   "Offering “%s” is not ID:NAME or ID:NAME;CODE", spec);
      return FALSE;
    }

  id_text = g_strstrip (g_strndup (spec, colon - spec));
  if (!_cd_sandbox_parse_id (id_text, &id))
    {
      g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                   "Offering “%s” has no positive numeric ID", spec);
      return FALSE;
    }

  semicolon = strrchr (colon + 1, ';');
  if (semicolon != NULL)
    {
      name = g_strstrip (g_strndup (colon + 1, semicolon - colon - 1));
      code = g_strstrip (g_strdup (semicolon + 1));
    }
  else
    name = g_strstrip (g_strdup (colon + 1));

  if (*name == '\0' || (code != NULL && *code == '\0'))
    {
      g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                   "Offering “%s” has an empty name or code", spec);
      return FALSE;
    }

  if (!self->custom_offerings)
    {
      g_hash_table_remove_all (self->offerings);
      self->custom_offerings = TRUE;
    }

  add_offering (self, id, name, code);
  return TRUE;
}

static int
compare_offerings (gconstpointer a,
                   gconstpointer b)
{
  const CdSandboxOffering *oa = *(CdSandboxOffering * const *)a;
  const CdSandboxOffering *ob = *(CdSandboxOffering * const *)b;

  return (oa->id > ob->id) - (oa->id < ob->id);
}

char **
cd_sandbox_dup_offerings (CdSandbox *self)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GStrvBuilder *builder;
  GHashTableIter iter;
  gpointer value;
  char **result;

  g_return_val_if_fail (CD_IS_SANDBOX (self), NULL);

  g_hash_table_iter_init (&iter, self->offerings);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort (sorted, compare_offerings);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < sorted->len; i++)
    {
      CdSandboxOffering *o = g_ptr_array_index (sorted, i);
      g_autofree char *spec = NULL;

      if (o->code != NULL)
        spec = g_strdup_printf ("%" G_GINT64_FORMAT ":%s;%s", o->id, o->name, o->code);
      else
        spec = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", o->id, o->name);
      g_strv_builder_add (builder, spec);
    }

  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

void
cd_sandbox_add_forbidden (CdSandbox *self,
                          gint64     org_unit_id)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  g_hash_table_add (self->forbidden, g_memdup2 (&org_unit_id, sizeof org_unit_id));
}

guint64
cd_sandbox_get_bytes_served (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), 0);

  return self->bytes_served;
}

void
cd_sandbox_set_upload_dir (CdSandbox  *self,
                           const char *path)
{
  g_return_if_fail (CD_IS_SANDBOX (self));

  replace_str (&self->upload_dir, path);
}

const char *
_cd_sandbox_ensure_upload_dir (CdSandbox  *self,
                               GError    **error)
{
  if (self->upload_dir != NULL)
    {
      if (g_mkdir_with_parents (self->upload_dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot create %s: %s", self->upload_dir, g_strerror (saved_errno));
          return NULL;
        }
      return self->upload_dir;
    }

  /* Not a private directory: a process killed mid-test would leave it
   * behind, while each temp file is unlinked once its upload is done. */
  return g_get_tmp_dir ();
}

gboolean
cd_sandbox_listen (CdSandbox   *self,
                   guint        port,
                   gboolean     tls,
                   const char  *cert_out,
                   GError     **error)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *cert_pem = NULL;
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList *uris;
  int bound_port;

  g_return_val_if_fail (CD_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  if (tls)
    {
      certificate = _cd_sandbox_make_certificate (&cert_pem, error);
      if (certificate == NULL)
        return FALSE;

      if (cert_out != NULL && !g_file_set_contents (cert_out, cert_pem, -1, error))
        return FALSE;

      options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  server = soup_server_new ("server-header", "coursedrop-sandbox ",
                            "raw-paths", TRUE,
                            "tls-certificate", certificate,
                            NULL);
  _cd_sandbox_install_handlers (self, server);

  /* listen_local with IPv4 only binds 127.0.0.1 and nothing else. */
  if (!soup_server_listen_local (server, port, options, error))
    return FALSE;

  uris = soup_server_get_uris (server);
  g_assert (uris != NULL);
  bound_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  self->url = g_strdup_printf ("%s://127.0.0.1:%d", tls ? "https" : "http", bound_port);
  self->server = g_steal_pointer (&server);
  return TRUE;
}

const char *
cd_sandbox_get_url (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), NULL);

  return self->url;
}

guint
cd_sandbox_get_request_count (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), 0);

  return self->request_count;
}

guint
cd_sandbox_get_upload_count (CdSandbox *self)
{
  g_return_val_if_fail (CD_IS_SANDBOX (self), 0);

  return self->job_order->len;
}
