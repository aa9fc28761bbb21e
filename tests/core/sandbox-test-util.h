/* sandbox-test-util.h: HTTP requests, signed URLs, packages and the
 * fixture shared by the sandbox tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cd-sandbox.h"

#define WHOAMI "/d2l/api/lp/1.46/users/whoami"
#define IMPORTS_6606 "/d2l/api/le/1.79/import/6606/imports/"
#define FAST_TIMELINE "UPLOADING:0.2,PROCESSING:0.2,COMPLETED"

typedef struct
{
  CdSandbox   *sandbox;
  SoupSession *session;
} Fixture;

typedef struct
{
  guint               status;
  char               *body;     /* NUL-terminated copy */
  gsize               len;
  SoupMessageHeaders *headers;
  GError             *error;
  gint64              finished; /* monotonic µs */
  gboolean            done;
} Response;

void
response_free (Response *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

#define BOUNDARY "----CoursedropTestBoundary7MA4YWxk"

/* Starts a request; the in-process server and the client share the main
 * context, so callers spin it until r->done. */
Response *
start_request (SoupSession  *session,
               const char   *method,
               const char   *url,
               const char   *content_type,
               GBytes       *body,
               GInputStream *stream);

void
wait_for (Response *r);

Response *
request (SoupSession *session,
         const char  *method,
         const char  *url,
         const char  *content_type,
         GBytes      *body);

Response *
get (SoupSession *session,
     const char  *url);

void
sleep_ms (guint ms);

gint64
now_seconds (void);

char *
signed_url_full (CdSandbox  *sandbox,
                 const char *method,
                 const char *path,
                 const char *query,
                 gint64      timestamp,
                 const char *user_key);

char *
signed_url (CdSandbox  *sandbox,
            const char *method,
            const char *path);

Response *
signed_get (Fixture    *f,
            const char *path);

JsonNode *
parse_json (Response *r);

void
assert_content_type (Response   *r,
                     const char *expected);

/* A valid zip with one stored imsmanifest.xml of about @size bytes. */
GBytes *
make_zip (gsize size);

/* A form with one part, its Content-Disposition parameters given raw, so
 * the test controls the exact file name encoding on the wire. */
GBytes *
make_form (const char *disposition_params,
           GBytes     *content);

Response *
upload_to (Fixture    *f,
           const char *path,
           const char *query,
           GBytes     *form);

/* Uploads a small zip and returns the job token. */
char *
upload_zip (Fixture    *f,
            const char *path);

JsonArray *
get_uploads (Fixture  *f,
             JsonNode **root);

/* No proxy resolver: the default one reads GSettings schemas, which
 * G_TEST_OPTION_ISOLATE_DIRS hides, and loopback needs no proxy anyway. */
SoupSession *
new_session (GTlsDatabase *database);

/* Uploads are streamed to temp files; none may survive its request. */
void
assert_no_temp_files (void);

void
fixture_setup (Fixture       *f,
               gconstpointer  data);

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data);

void
assert_invalid_token (Response *r);

char *
sandbox_test_init (int    *argc,
                   char ***argv);

int
sandbox_test_finish (char *tmp,
                     int   ret);
