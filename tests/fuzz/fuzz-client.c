/* fuzz-client.c: what CdClient makes of any answer a server can send
 *
 * An in-process server answers every call with the fuzz input: byte 0
 * picks the HTTP status, byte 1 which routes get it (the version list, the
 * import upload), the rest is the body.  The client's real calls then
 * parse it: versions, whoami, course offering, job token, job status and
 * the paged job log.  Nothing may crash, trip a GLib critical, or leave a
 * call unfinished.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <libsoup/soup.h>

#include "cd-client-imports.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define VERSIONS "[{\"ProductCode\":\"lp\",\"SupportedVersions\":[\"1.46\"]}," \
                 "{\"ProductCode\":\"le\",\"SupportedVersions\":[\"1.79\"]}]"

static const guint statuses[] = { 200, 200, 200, 200, 201, 400, 401, 403, 404, 429, 500, 503 };

typedef struct
{
  SoupServer *server;
  char       *url;
  char       *package;
  const guint8 *body;
  gsize       body_len;
  guint       status;
  gboolean    fuzz_versions;
} Harness;

static Harness harness;

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  if (g_str_equal (path, "/d2l/api/versions/") && !harness.fuzz_versions)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        VERSIONS, strlen (VERSIONS));
      return;
    }

  soup_server_message_set_status (msg, harness.status, NULL);
  if (harness.status == 429)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", "0");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    (const char *)harness.body, harness.body_len);
}

static void
set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  harness.server = soup_server_new ("server-header", "fuzz", NULL);
  soup_server_add_handler (harness.server, NULL, handler_cb, NULL, NULL);
  if (!soup_server_listen_local (harness.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("%s", error->message);

  uris = soup_server_get_uris (harness.server);
  harness.url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  harness.url[strlen (harness.url) - 1] = '\0';  /* no trailing slash */
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify)g_uri_unref);

  harness.package = g_build_filename (g_get_tmp_dir (), "coursedrop-fuzz.zip", NULL);
  /* A local header's signature, then an empty archive's end record. */
  if (!g_file_set_contents (harness.package, "PK\003\004fuzzPK\005\006"
                            "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 30, &error))
    g_error ("%s", error->message);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *pending = user_data;
  gpointer tag = g_task_get_source_tag (G_TASK (result));
  g_autoptr(GError) error = NULL;
  CdClient *client = CD_CLIENT (object);

  if (tag == cd_client_whoami_async || tag == cd_client_get_course_async)
    {
      g_autoptr(JsonObject) found = tag == cd_client_whoami_async
        ? cd_client_whoami_finish (client, result, &error)
        : cd_client_get_course_finish (client, result, &error);
      g_assert_true ((found == NULL) != (error == NULL));
    }
  else if (tag == cd_client_get_import_status_async)
    {
      guint retry_after = 0;
      g_autofree char *status = cd_client_get_import_status_finish (client, result, &retry_after,
                                                                    &error);
      g_assert_true ((status == NULL) != (error == NULL));
    }
  else if (tag == cd_client_get_import_logs_async)
    {
      g_autoptr(GPtrArray) logs = cd_client_get_import_logs_finish (client, result, &error);
      g_assert_true ((logs == NULL) != (error == NULL));
      for (guint i = 0; logs != NULL && i < logs->len; i++)
        g_assert_nonnull (((CdImportLogEntry *)g_ptr_array_index (logs, i))->message);
    }
  else
    {
      g_autofree char *token = cd_client_start_import_finish (client, result, &error);
      g_assert_true ((token == NULL) != (error == NULL));
    }

  if (error != NULL)
    g_assert_true (error->domain == CD_CLIENT_ERROR);
  (*pending)--;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CdIdKeyContext) context = NULL;
  g_autoptr(CdClient) client = NULL;
  g_autoptr(GFile) package = NULL;
  guint pending = 4;

  if (harness.server == NULL)
    set_up ();
  if (size < 2)
    return 0;

  harness.status = statuses[data[0] % G_N_ELEMENTS (statuses)];
  harness.fuzz_versions = (data[1] & 1) != 0;
  harness.body = data + 2;
  harness.body_len = size - 2;

  context = cd_idkey_context_new ("app", "app-key", "user", "user-key");
  client = cd_client_new (harness.url, context, NULL);
  g_assert_nonnull (client);
  cd_client_set_retry_policy (client, 1, 1, 1);

  cd_client_whoami_async (client, NULL, done_cb, &pending);
  cd_client_get_course_async (client, 6606, NULL, done_cb, &pending);
  cd_client_get_import_status_async (client, 6606, "8840", NULL, done_cb, &pending);
  cd_client_get_import_logs_async (client, 6606, "8840", NULL, done_cb, &pending);
  if (data[1] & 2)
    {
      package = g_file_new_for_path (harness.package);
      pending++;
      cd_client_start_import_async (client, package, 6606, NULL, NULL, NULL, NULL, NULL,
                                    done_cb, &pending);
    }

  while (pending > 0)
    g_main_context_iteration (NULL, TRUE);

  return 0;
}
