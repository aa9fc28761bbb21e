/* cd-oauth-scopes.c: which OAuth 2.0 scope each Valence route needs
 *
 * From D2L's scopes table (oauth2.md §1.8).  Routes the table does not
 * list fall back to core:*:*, which D2L keeps honouring for them.  The
 * sandbox enforces the same table, so both sides agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cd-oauth.h"

#define FALLBACK_SCOPE "core:*:*"

typedef struct
{
  const char *method;
  const char *pattern;  /* segments after /d2l/api/; "*" one segment, "**" the rest */
  const char *scope;
} RouteScope;

/* First match wins: specific routes before general ones. */
static const RouteScope route_scopes[] = {
  { "POST", "le/*/import/*/imports", "import:job:create" },
  { "GET", "le/*/import/*/imports/*/logs", FALLBACK_SCOPE },
  { "GET", "le/*/import/*/imports/*", "import:job:fetch" },
  { "GET", "lp/*/users/whoami", "users:own_profile:read" },
  { "POST", "lp/*/courses", "orgunits:course:create" },
  { "GET", "lp/*/courses/*", "orgunits:course:read" },
  { "PUT", "lp/*/courses/*", "orgunits:course:update" },
  { "DELETE", "lp/*/courses/*", "orgunits:course:delete" },
  { "GET", "lp/*/orgstructure/**", "organizations:organization:read" },
  { "POST", "lp/*/enrollments", "enrollment:orgunit:create" },
  { "GET", "lp/*/enrollments/myenrollments/**", "enrollment:own_enrollment:read" },
  { "GET", "le/*/*/content/toc", "content:toc:read" },
  { "GET", "le/*/*/content/root", "content:modules:readonly" },
  { "GET", "le/*/*/content/modules/*/structure", "content:modules:readonly" },
  { "GET", "le/*/*/content/topics/*", "content:topics:readonly" },
  { "GET", "le/*/*/quizzes", "quizzing:quizzes:read" },
  { "GET", "le/*/*/dropbox/folders", "dropbox:folders:read" },
  { "GET", "le/*/*/discussions/forums", "discussions:forums:readonly" },
  { "GET", "le/*/*/discussions/forums/*/topics", "discussions:topics:readonly" },
};

static gboolean
pattern_matches (const char *pattern,
                 char      **segments)
{
  g_auto(GStrv) parts = g_strsplit (pattern, "/", -1);
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    {
      if (strcmp (parts[i], "**") == 0)
        return TRUE;
      if (segments[i] == NULL)
        return FALSE;
      if (strcmp (parts[i], "*") != 0 && strcmp (parts[i], segments[i]) != 0)
        return FALSE;
    }

  return segments[i] == NULL;
}

const char *
cd_oauth_scope_for_route (const char *method,
                          const char *path)
{
  g_auto(GStrv) segments = NULL;
  guint n;

  if (method == NULL || path == NULL || !g_str_has_prefix (path, "/d2l/api/"))
    return NULL;

  segments = g_strsplit (path + strlen ("/d2l/api/"), "/", -1);
  n = g_strv_length (segments);
  /* "…/imports/" and "…/imports" are one route. */
  if (n > 0 && segments[n - 1][0] == '\0')
    g_clear_pointer (&segments[n - 1], g_free);

  if (segments[0] == NULL || strcmp (segments[0], "versions") == 0)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (route_scopes); i++)
    if (g_ascii_strcasecmp (method, route_scopes[i].method) == 0 &&
        pattern_matches (route_scopes[i].pattern, segments))
      return route_scopes[i].scope;

  return FALLBACK_SCOPE;
}

static gboolean
part_matches (const char *granted,
              const char *required)
{
  return strcmp (granted, "*") == 0 || strcmp (granted, required) == 0;
}

/* group:resource:perms against one required scope (ScopeAuthorizer.IsMatch). */
static gboolean
scope_satisfies (const char *granted,
                 const char *required)
{
  g_auto(GStrv) have = g_strsplit (granted, ":", 3);
  g_auto(GStrv) need = g_strsplit (required, ":", 3);
  g_auto(GStrv) have_perms = NULL;
  g_auto(GStrv) need_perms = NULL;

  if (g_strv_length (have) != 3 || g_strv_length (need) != 3)
    return FALSE;
  if (!part_matches (have[0], need[0]) || !part_matches (have[1], need[1]))
    return FALSE;

  have_perms = g_strsplit (have[2], ",", -1);
  need_perms = g_strsplit (need[2], ",", -1);
  for (guint i = 0; need_perms[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) have_perms, "*") &&
        !g_strv_contains ((const char * const *) have_perms, need_perms[i]))
      return FALSE;

  return TRUE;
}

gboolean
cd_oauth_scopes_satisfy (const char *granted,
                         const char *required)
{
  g_auto(GStrv) scopes = NULL;

  if (granted == NULL || required == NULL)
    return FALSE;

  scopes = g_strsplit_set (granted, " \t", -1);
  for (guint i = 0; scopes[i] != NULL; i++)
    if (scopes[i][0] != '\0' && scope_satisfies (scopes[i], required))
      return TRUE;

  return FALSE;
}

gboolean
cd_oauth_scope_is_valid (const char *scope)
{
  g_auto(GStrv) scopes = NULL;
  guint count = 0;

  if (scope == NULL || !g_utf8_validate (scope, -1, NULL))
    return FALSE;

  scopes = g_strsplit (scope, " ", -1);
  for (guint i = 0; scopes[i] != NULL; i++)
    {
      g_auto(GStrv) parts = NULL;

      if (scopes[i][0] == '\0')
        continue;
      for (const char *p = scopes[i]; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && strchr (":,*_-.", *p) == NULL)
          return FALSE;
      parts = g_strsplit (scopes[i], ":", -1);
      if (g_strv_length (parts) != 3 || parts[0][0] == '\0' || parts[1][0] == '\0' ||
          parts[2][0] == '\0')
        return FALSE;
      count++;
    }

  return count > 0;
}
