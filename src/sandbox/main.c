/* main.c: coursedrop-sandbox, a local Brightspace stand-in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cd-sandbox.h"
#include "cd-sandbox-orgunits.h"
#include "cd-sandbox-oauth.h"

#define EXIT_USAGE 2

typedef struct
{
  int      port;
  gboolean tls;
  char    *cert_out;
  char    *app_id;
  char    *app_key;
  char    *user_id;
  char    *user_key;
  gint64   tolerance;
  gint64   skew;
  char   **offerings;
  char   **offering_semesters;
  char   **forbidden;
  char    *timeline;
  char   **offering_timelines;
  int      log_page_size;
  char   **faults;
  char    *upload_dir;
  char    *trusted_url;
  char    *drop_titles;
  gboolean auto_approve;
  int      expire_after;
  /* cd-sandbox-orgunits.c */
  char   **templates;
  char   **semesters;
  int      generated_offerings;
  int      page_size;
  int      max_imports;
  int      rate_limit;
  int      drop_create_answers;
  char    *oauth;
  char    *oauth_scope;
  gboolean oauth_only;
  int      token_life;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->cert_out);
  g_free (o->app_id);
  g_free (o->app_key);
  g_free (o->user_id);
  g_free (o->user_key);
  g_strfreev (o->offerings);
  g_strfreev (o->offering_semesters);
  g_strfreev (o->forbidden);
  g_free (o->timeline);
  g_strfreev (o->offering_timelines);
  g_strfreev (o->faults);
  g_free (o->upload_dir);
  g_free (o->trusted_url);
  g_strfreev (o->templates);
  g_strfreev (o->semesters);
  g_free (o->drop_titles);
  g_free (o->oauth);
  g_free (o->oauth_scope);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static int
usage_error (const char *message)
{
  g_printerr ("%s: %s\n", g_get_prgname (), message);
  g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
  return EXIT_USAGE;
}

static gboolean
configure_org_units (CdSandbox  *sandbox,
                     Options    *o,
                     GError    **error)
{
  if (o->generated_offerings < 0 || o->page_size < 1 || o->max_imports < 0 ||
      o->rate_limit < 0 || o->drop_create_answers < 0)
    {
      g_set_error_literal (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                           _("--offerings, --max-concurrent-imports, --rate-limit and "
                             "--drop-create-answer must not be negative, and --page-size "
                             "must be at least 1"));
      return FALSE;
    }

  for (guint i = 0; o->templates && o->templates[i]; i++)
    if (!cd_sandbox_add_template (sandbox, o->templates[i], error))
      return FALSE;
  for (guint i = 0; o->semesters && o->semesters[i]; i++)
    if (!cd_sandbox_add_semester (sandbox, o->semesters[i], error))
      return FALSE;

  cd_sandbox_generate_offerings (sandbox, (guint) o->generated_offerings);
  cd_sandbox_set_orgstructure_page_size (sandbox, (guint) o->page_size);
  cd_sandbox_set_max_concurrent_imports (sandbox, (guint) o->max_imports);
  cd_sandbox_set_rate_limit (sandbox, (guint) o->rate_limit);
  cd_sandbox_drop_create_answers (sandbox, (guint) o->drop_create_answers);
  return TRUE;
}

/* Applies the options; FALSE (with @error) when one of them is invalid. */
static gboolean
configure (CdSandbox  *sandbox,
           Options    *o,
           GError    **error)
{
  const char *access_token = g_getenv ("COURSEDROP_SANDBOX_ACCESS_TOKEN");

  if (o->port < 0 || o->port > G_MAXUINT16)
    {
      g_set_error_literal (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                           _("--port must be between 0 and 65535"));
      return FALSE;
    }
  if (o->tolerance < 0)
    {
      g_set_error_literal (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                           _("--tolerance must not be negative"));
      return FALSE;
    }
  if (o->log_page_size < 1)
    {
      g_set_error_literal (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                           _("--log-page-size must be at least 1"));
      return FALSE;
    }
  if (o->expire_after < 0)
    {
      g_set_error_literal (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                           _("--expire-after must not be negative"));
      return FALSE;
    }
  if (o->cert_out != NULL && !o->tls)
    {
      g_set_error_literal (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                           _("--cert-out needs --tls"));
      return FALSE;
    }

  cd_sandbox_set_credentials (sandbox,
                              o->app_id ? o->app_id : CD_SANDBOX_DEFAULT_APP_ID,
                              o->app_key ? o->app_key : CD_SANDBOX_DEFAULT_APP_KEY,
                              o->user_id ? o->user_id : CD_SANDBOX_DEFAULT_USER_ID,
                              o->user_key ? o->user_key : CD_SANDBOX_DEFAULT_USER_KEY);
  cd_sandbox_set_tolerance (sandbox, o->tolerance);
  cd_sandbox_set_skew (sandbox, o->skew);
  cd_sandbox_set_log_page_size (sandbox, o->log_page_size);
  cd_sandbox_set_upload_dir (sandbox, o->upload_dir);
  cd_sandbox_set_trusted_url (sandbox, o->trusted_url);
  cd_sandbox_set_drop_titles (sandbox, o->drop_titles);
  cd_sandbox_set_auto_approve (sandbox, o->auto_approve);
  cd_sandbox_set_expire_after (sandbox, (guint) o->expire_after);

  if (o->oauth != NULL && !cd_sandbox_set_oauth_client (sandbox, o->oauth, error))
    return FALSE;
  cd_sandbox_set_oauth_scope (sandbox, o->oauth_scope);
  cd_sandbox_set_oauth_only (sandbox, o->oauth_only);
  cd_sandbox_set_token_life (sandbox, (guint) MAX (o->token_life, 0));
  /* From the environment, not argv: other users can read a command line. */
  if (access_token != NULL && !cd_sandbox_add_oauth_access_token (sandbox, access_token))
    {
      g_set_error_literal (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                           _("COURSEDROP_SANDBOX_ACCESS_TOKEN must be 16 to 512 letters, "
                             "digits or “-._~+/=”"));
      return FALSE;
    }

  for (guint i = 0; o->offerings && o->offerings[i]; i++)
    if (!cd_sandbox_add_offering (sandbox, o->offerings[i], error))
      return FALSE;
  /* After every offering: the first --offering replaces the defaults. */
  for (guint i = 0; o->offering_semesters && o->offering_semesters[i]; i++)
    if (!cd_sandbox_set_offering_semester (sandbox, o->offering_semesters[i], error))
      return FALSE;

  for (guint i = 0; o->forbidden && o->forbidden[i]; i++)
    {
      gint64 id;

      if (!g_ascii_string_to_signed (o->forbidden[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          g_set_error (error, CD_SANDBOX_ERROR, CD_SANDBOX_ERROR_INVALID_ARGUMENT,
                       _("--forbidden “%s” is not a positive org unit ID"), o->forbidden[i]);
          return FALSE;
        }
      cd_sandbox_add_forbidden (sandbox, id);
    }

  if (o->timeline && !cd_sandbox_set_timeline (sandbox, o->timeline, error))
    return FALSE;

  for (guint i = 0; o->offering_timelines && o->offering_timelines[i]; i++)
    if (!cd_sandbox_set_offering_timeline (sandbox, o->offering_timelines[i], error))
      return FALSE;

  for (guint i = 0; o->faults && o->faults[i]; i++)
    if (!cd_sandbox_parse_fault (sandbox, o->faults[i], error))
      return FALSE;

  return configure_org_units (sandbox, o, error);
}

static void
print_banner (CdSandbox *sandbox,
              Options   *o)
{
  g_auto(GStrv) offerings = cd_sandbox_dup_offerings (sandbox);
  g_autofree char *timeline = cd_sandbox_dup_timeline (sandbox);
  const char *app_id, *app_key, *user_id, *user_key;

  cd_sandbox_get_credentials (sandbox, &app_id, &app_key, &user_id, &user_key);

  /* Scripts and tests read the URL from this exact first line: never translate it. */
  printf ("Listening on %s\n", cd_sandbox_get_url (sandbox));

  /* These are demo credentials for a local test server: showing them is the point. */
  printf (_("App ID: %s\n"), app_id);
  printf (_("App Key: %s\n"), app_key);
  printf (_("User ID: %s\n"), user_id);
  printf (_("User Key: %s\n"), user_key);

  for (guint i = 0; offerings[i] != NULL; i++)
    printf (_("Offering: %s\n"), offerings[i]);
  for (guint i = 0; o->forbidden && o->forbidden[i]; i++)
    printf (_("Forbidden: %s\n"), o->forbidden[i]);

  printf (_("Timeline: %s\n"), timeline);
  for (guint i = 0; o->offering_timelines && o->offering_timelines[i]; i++)
    printf (_("Offering timeline: %s\n"), o->offering_timelines[i]);
  for (guint i = 0; o->faults && o->faults[i]; i++)
    printf (_("Fault: %s\n"), o->faults[i]);

  if (o->cert_out != NULL)
    printf (_("Certificate: %s\n"), o->cert_out);
  if (o->trusted_url != NULL)
    printf (_("Trusted URL: %s\n"), o->trusted_url);
  if (o->auto_approve)
    printf (_("Sign-in: approved without asking\n"));
  if (o->expire_after > 0)
    printf (_("User key expires after %d signed requests\n"), o->expire_after);
  /* Demo credentials of a local test server, like the keys above. */
  if (o->oauth != NULL)
    printf (_("OAuth client: %s\n"), o->oauth);
  if (o->oauth_only)
    printf (_("ID-Key: refused (OAuth only)\n"));
  if (g_getenv ("COURSEDROP_SANDBOX_ACCESS_TOKEN") != NULL)
    printf (_("Bearer token: the one in COURSEDROP_SANDBOX_ACCESS_TOKEN, until the sandbox stops\n"));

  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  Options o = { .tolerance = 300, .log_page_size = 5, .page_size = 2 };
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &o.port,
      N_("Port on 127.0.0.1 (0 picks a free one)"), N_("PORT") },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &o.tls,
      N_("Serve HTTPS with a fresh self-signed certificate"), NULL },
    { "cert-out", 0, 0, G_OPTION_ARG_FILENAME, &o.cert_out,
      N_("Write the certificate (PEM) to FILE"), N_("FILE") },
    { "app-id", 0, 0, G_OPTION_ARG_STRING, &o.app_id, N_("Application ID"), N_("ID") },
    { "app-key", 0, 0, G_OPTION_ARG_STRING, &o.app_key, N_("Application key"), N_("KEY") },
    { "user-id", 0, 0, G_OPTION_ARG_STRING, &o.user_id, N_("User ID"), N_("ID") },
    { "user-key", 0, 0, G_OPTION_ARG_STRING, &o.user_key, N_("User key"), N_("KEY") },
    { "tolerance", 0, 0, G_OPTION_ARG_INT64, &o.tolerance,
      N_("Accepted clock difference in seconds (default 300)"), N_("SECONDS") },
    { "skew", 0, 0, G_OPTION_ARG_INT64, &o.skew,
      N_("Shift the server clock by SECONDS (may be negative)"), N_("SECONDS") },
    { "offering", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.offerings,
      N_("Course offering (repeatable; replaces the defaults)"), N_("ID:NAME[;CODE]") },
    { "offering-semester", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.offering_semesters,
      N_("The semester in an offering’s details (repeatable)"), N_("ID=SEMESTER_ID") },
    { "forbidden", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.forbidden,
      N_("Answer 403 for this org unit (repeatable)"), N_("ID") },
    { "timeline", 0, 0, G_OPTION_ARG_STRING, &o.timeline,
      N_("Import job statuses over time"), N_("STATUS:SECONDS,…,FINAL") },
    { "offering-timeline", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.offering_timelines,
      N_("Timeline for imports into one offering (repeatable)"), N_("ID=SPEC") },
    { "log-page-size", 0, 0, G_OPTION_ARG_INT, &o.log_page_size,
      N_("Import log entries per page (default 5)"), N_("N") },
    { "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.faults,
      N_("Inject a fault: 500:N, 429:N[:SECONDS], badjson:N, slow:N:MS, cut-upload:N, clock:N, "
         "deep:N[:STATUS], huge:N[:MIB], silent:N, drip:N:MS, badtime:N[:SECONDS], "
         "no-answer:N, cut-answer:N, slow-answer:N:MS, slow-read:N[:KIB], evil:N "
         "(repeatable)"),
      N_("SPEC") },
    { "upload-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.upload_dir,
      N_("Keep uploaded bodies in DIR, named by job token"), N_("DIR") },
    { "drop-titles", 0, 0, G_OPTION_ARG_STRING, &o.drop_titles,
      N_("Imports skip items with these titles, with a warning in the job’s log"),
      N_("TITLE|TITLE…") },
    { "trusted-url", 0, 0, G_OPTION_ARG_STRING, &o.trusted_url,
      N_("Sign-in sends keys only to this exact callback address"), N_("URL") },
    { "auto-approve", 0, 0, G_OPTION_ARG_NONE, &o.auto_approve,
      N_("Sign-in redirects at once, without the consent page"), NULL },
    { "expire-after", 0, 0, G_OPTION_ARG_INT, &o.expire_after,
      N_("Answer “Token expired” after N signed requests (a new sign-in gives a new key)"),
      N_("N") },
    { "template", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.templates,
      N_("Course template (repeatable; replaces the defaults)"), N_("ID:NAME;CODE") },
    { "semester", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.semesters,
      N_("Semester (repeatable; replaces the defaults)"), N_("ID:NAME;CODE") },
    { "offerings", 0, 0, G_OPTION_ARG_INT, &o.generated_offerings,
      N_("Add N generated offerings (codes GEN-00001…)"), N_("N") },
    { "page-size", 0, 0, G_OPTION_ARG_INT, &o.page_size,
      N_("Org units per page of the org structure (default 2)"), N_("N") },
    { "max-concurrent-imports", 0, 0, G_OPTION_ARG_INT, &o.max_imports,
      N_("Refuse import uploads (429) beyond N unfinished jobs"), N_("N") },
    { "rate-limit", 0, 0, G_OPTION_ARG_INT, &o.rate_limit,
      N_("Refuse requests (429) beyond N per second"), N_("N") },
    { "drop-create-answer", 0, 0, G_OPTION_ARG_INT, &o.drop_create_answers,
      N_("Create the next N course offerings but close the connection instead of answering"),
      N_("N") },
    { "oauth", 0, 0, G_OPTION_ARG_STRING, &o.oauth,
      N_("Register an OAuth 2.0 client"), N_("CLIENT_ID:CLIENT_SECRET:REDIRECT_URI") },
    { "oauth-scope", 0, 0, G_OPTION_ARG_STRING, &o.oauth_scope,
      N_("The scopes registered for the OAuth client"), N_("SCOPES") },
    { "oauth-only", 0, 0, G_OPTION_ARG_NONE, &o.oauth_only,
      N_("Refuse ID-Key signed requests"), NULL },
    { "token-life", 0, 0, G_OPTION_ARG_INT, &o.token_life,
      N_("Lifetime of OAuth access tokens (default 3600)"), N_("SECONDS") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(CdSandbox) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  guint sigint_id, sigterm_id;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("A local Brightspace stand-in for Coursedrop."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      options_clear (&o);
      return usage_error (error->message);
    }

  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”"), argv[1]);

      options_clear (&o);
      return usage_error (message);
    }

  sandbox = cd_sandbox_new ();
  if (!configure (sandbox, &o, &error))
    {
      options_clear (&o);
      return usage_error (error->message);
    }

  if (!cd_sandbox_listen (sandbox, o.port, o.tls, o.cert_out, &error))
    {
      g_printerr (_("%s: cannot listen: %s\n"), g_get_prgname (), error->message);
      options_clear (&o);
      return EXIT_FAILURE;
    }

  print_banner (sandbox, &o);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  options_clear (&o);
  return EXIT_SUCCESS;
}
