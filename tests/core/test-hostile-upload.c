/* test-hostile-upload.c: CdClient against a sandbox that misbehaves on
 * purpose while a package is sent: answers that never come, cancels,
 * uploads that stall, packages that change while they are sent
 *
 * Every answer here comes from a server that is broken or hostile: JSON
 * nested 100,000 levels deep, endless bodies, silence, a byte every so
 * often, absurd clocks, unusable job tokens, uploads whose answer never
 * comes, and packages that change while they are sent.  The client must
 * fail each time with a clear error, promptly, and without crashing,
 * hoarding memory or sending anything twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cd-chain-input-stream.h"
#include "cd-client-imports.h"
#include "cd-json.h"
#include "cd-sandbox.h"
#include "hostile-test-util.h"

/* 5. The package was sent, the answer never came */

static void
assert_outcome_unknown (const GError *error)
{
  g_assert_error (error, CD_CLIENT_ERROR, CD_CLIENT_ERROR_OUTCOME_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "may have been received and imported"));
  g_assert_nonnull (strstr (error->message, "before importing it again"));
  g_assert_null (strstr (error->message, "nothing was imported"));
}

static void
test_outcome_closed (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = make_package (f, 256 * 1024);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_UPLOAD_NO_ANSWER, 1, 0);
  token = run_import (f, path, NULL, NULL, NULL, &error);
  g_assert_null (token);
  assert_outcome_unknown (error);
  /* Received once, never replayed. */
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
  g_remove (path);
}

static void
test_outcome_cut_answer (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = make_package (f, 256 * 1024);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_UPLOAD_CUT_ANSWER, 1, 0);
  token = run_import (f, path, NULL, NULL, NULL, &error);
  g_assert_null (token);
  assert_outcome_unknown (error);
  g_assert_cmpuint (cd_sandbox_get_upload_count (f->sandbox), ==, 1);
  g_remove (path);
}

typedef struct
{
  GCancellable *cancellable;
  goffset       cancel_at;   /* cancel once this much was sent */
  gboolean      cancelled;
} CancelOnProgress;

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
cancel_progress_cb (goffset  sent,
                    goffset  total,
                    gpointer user_data)
{
  CancelOnProgress *cancel = user_data;

  if (!cancel->cancelled && sent >= MIN (cancel->cancel_at, total))
    {
      cancel->cancelled = TRUE;
      /* A moment later, so that the wait for the answer has begun. */
      g_timeout_add_full (G_PRIORITY_DEFAULT, 200, cancel_cb,
                          g_object_ref (cancel->cancellable), g_object_unref);
    }
}

static void
test_outcome_cancelled_waiting (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *path = make_package (f, 64 * 1024);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelOnProgress cancel = { cancellable, G_MAXINT64, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_UPLOAD_SLOW_ANSWER, 1, 20000);
  token = run_import (f, path, cancel_progress_cb, &cancel, cancellable, &error);
  g_assert_true (cancel.cancelled);
  g_assert_null (token);
  assert_outcome_unknown (error);
  g_remove (path);
}

/* Before the whole body was sent, a cancel is only a cancel. */
static void
test_cancelled_sending (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = make_package (f, 64 * MIB);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelOnProgress cancel = { cancellable, 1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_UPLOAD_SLOW_READ, 1, 1024);
  token = run_import (f, path, cancel_progress_cb, &cancel, cancellable, &error);
  g_assert_null (token);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_remove (path);
}

/* An upload that makes progress lives past the timeout; its answer not. */
static void
test_upload_inactivity (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = make_package (f, 40 * MIB);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  cd_client_set_request_timeout (f->client, 2000);
  cd_client_set_le_version (f->client, "1.79");
  /* 8 MiB/s: about five seconds of steady progress, then no answer at all. */
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_UPLOAD_SLOW_READ, 1, 8 * 1024);
  token = run_import (f, path, NULL, NULL, NULL, &error);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("upload ended after %" G_GINT64_FORMAT " ms: %s", elapsed / 1000,
                  error ? error->message : "");
  g_assert_null (token);
  assert_outcome_unknown (error);
  g_assert_nonnull (strstr (error->message, "none in time"));
  g_assert_cmpint (elapsed, >, 4 * G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 40 * G_USEC_PER_SEC);
  g_remove (path);
}

/* 6. A package that changes while it is sent */

typedef struct
{
  const char *path;
  gboolean    truncated;
} Shrink;

static void
shrink_progress_cb (goffset  sent,
                    goffset  total,
                    gpointer user_data)
{
  Shrink *shrink = user_data;

  if (!shrink->truncated && sent > 0)
    {
      shrink->truncated = TRUE;
      g_assert_cmpint (truncate (shrink->path, 1000), ==, 0);
    }
}

static void
test_package_shrinks (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = make_package (f, 64 * MIB);
  Shrink shrink = { path, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 start = g_get_monotonic_time ();

  cd_client_set_le_version (f->client, "1.79");
  cd_sandbox_add_fault (f->sandbox, CD_SANDBOX_FAULT_UPLOAD_SLOW_READ, 1, 1024);
  token = run_import (f, path, shrink_progress_cb, &shrink, NULL, &error);
  g_assert_true (shrink.truncated);
  g_assert_null (token);
  g_assert_error (error, CD_UPLOAD_ERROR, CD_UPLOAD_ERROR_CHANGED);
  g_assert_nonnull (strstr (error->message, "changed while it was being uploaded"));
  /* Promptly: not after a timeout, let alone never. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_remove (path);
}

/* The chain stream itself: shorter or longer than promised fails. */
static void
test_chain_length (void)
{
  static const struct { const char *data; gssize promised; gboolean ok; } cases[] = {
    { "0123456789", 10, TRUE },
    { "01234", 10, FALSE },     /* shrank */
    { "0123456789AB", 10, FALSE },  /* grew */
    { "", 0, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInputStream) head = g_memory_input_stream_new_from_data ("<", 1, NULL);
      g_autoptr(GInputStream) body = g_memory_input_stream_new_from_data (cases[i].data, -1, NULL);
      g_autoptr(GInputStream) tail = g_memory_input_stream_new_from_data (">", 1, NULL);
      GInputStream *children[] = { head, body, tail };
      g_autoptr(GInputStream) chain = cd_chain_input_stream_new (children, 3);
      g_autoptr(GError) error = NULL;
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      gssize n;

      cd_chain_input_stream_expect_length (CD_CHAIN_INPUT_STREAM (chain), 1, cases[i].promised);
      n = g_output_stream_splice (out, chain, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);

      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_cmpint (n, ==, cases[i].promised + 2);
          g_assert_false (cd_chain_input_stream_length_changed (CD_CHAIN_INPUT_STREAM (chain)));
        }
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
          g_assert_true (cd_chain_input_stream_length_changed (CD_CHAIN_INPUT_STREAM (chain)));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/hostile/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("outcome/closed", test_outcome_closed);
  ADD ("outcome/cut-answer", test_outcome_cut_answer);
  ADD ("outcome/cancelled-waiting", test_outcome_cancelled_waiting);
  ADD ("upload/cancelled-sending", test_cancelled_sending);
  ADD ("upload/inactivity", test_upload_inactivity);
  ADD ("upload/package-shrinks", test_package_shrinks);
  g_test_add_func ("/hostile/chain/length", test_chain_length);

#undef ADD

  return g_test_run ();
}
