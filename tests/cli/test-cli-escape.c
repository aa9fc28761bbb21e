/* test-cli-escape.c: cd_cli_escape(), what keeps a server off the terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cd-cli-output.h"

static void
test_escape (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "COMPLETED", "COMPLETED" },
    { "", "" },
    { "Kurs für Biologie – Woche 1 ✓", "Kurs für Biologie – Woche 1 ✓" },
    { "\033]0;pwned\007", "\\x1b]0;pwned\\x07" },
    { "\033[2Jclear", "\\x1b[2Jclear" },
    { "two\nlines\r\tand tab", "two\\nlines\\r\\tand tab" },
    { "del\177", "del\\x7f" },
    { "nul-free \001\037", "nul-free \\x01\\x1f" },
    /* C1 controls, as UTF-8: CSI (U+009B) and NEL (U+0085). */
    { "\302\233" "2J \302\205", "\\u009b2J \\u0085" },
    /* Bidirectional overrides turn text around. */
    { "abc\342\200\256cba", "abc\\u202ecba" },
    /* Not UTF-8: each byte shown, the rest kept. */
    { "bad\377\376 ok", "bad\\xff\\xfe ok" },
    { "cut \303", "cut \\xc3" },
    /* A backslash is just a backslash. */
    { "C:\\path", "C:\\path" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = cd_cli_escape (cases[i].in);

      g_assert_cmpstr (escaped, ==, cases[i].out);
      g_assert_true (g_utf8_validate (escaped, -1, NULL));
    }

  {
    g_autofree char *empty = cd_cli_escape (NULL);
    g_autofree char *lines = cd_cli_escape_lines ("first\nsecond\033[2J");

    g_assert_cmpstr (empty, ==, "");
    g_assert_cmpstr (lines, ==, "first\nsecond\\x1b[2J");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/escape", test_escape);

  return g_test_run ();
}
