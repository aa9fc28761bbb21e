/* client-test-util.h: the stub server, the fixture, log capture and the
 * call helpers shared by the CdClient tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cd-client.h"
#include "cd-sandbox.h"
#include "../cd-test-port.h"

#define WRONG_USER_KEY "not-the-user-key-at-all"

/* Debug output of the "Coursedrop" domain, while a test captures it. */
extern GString *captured_log;

/* A minimal server for answers the sandbox does not give: each path maps
 * to a fixed reply; every request is counted. */
typedef struct
{
  SoupServer *server;
  GHashTable *replies;   /* path → StubReply */
  char       *url;
  guint       count;
  char       *last_method;
} Stub;

typedef struct
{
  CdSandbox    *sandbox;
  CdClient     *client;
  GMainLoop    *loop;
  GAsyncResult *result;
  char         *tmpdir;
  guint         watchdog;
} Fixture;

Stub *
stub_new (void);

void
stub_set (Stub       *stub,
          const char *path,
          guint       status,
          const char *body,
          const char *header_name,
          const char *header_value);

void
stub_free (Stub *stub);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stub, stub_free)

CdIdKeyContext *
demo_context (const char *user_key);

CdClient *
make_client (const char *url,
             const char *user_key);

void
fixture_setup (Fixture       *f,
               gconstpointer  data);

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data);

void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data);

GAsyncResult *
wait_result (Fixture *f);

JsonObject *
run_whoami (Fixture  *f,
            GError  **error);

JsonObject *
run_course (Fixture  *f,
            gint64    org_unit_id,
            GError  **error);

JsonNode *
run_get (Fixture    *f,
         const char *route,
         GError    **error);

JsonNode *
run_post (Fixture    *f,
          const char *route,
          GError    **error);

/* No key, and every x_* value (signatures, IDs, timestamp) redacted. */
void
assert_no_secrets (const char *text);

/* Captures the client's debug lines, sets a proxy resolver that works
 * without GSettings schemas, then g_test_init() with isolated dirs. */
void
client_test_init (int    *argc,
                  char ***argv);
