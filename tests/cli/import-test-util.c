/* import-test-util.c: the sandbox process and timelines shared by the
 * coursedrop-cli import tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "import-test-util.h"


CdTestSandbox *
start_sandbox (const char *timeline,
               const char *extra,
               const char *extra_value)
{
  return cd_test_sandbox_start ("--timeline", timeline,
                                "--offering", "6606:Biology 101;BIO101",
                                "--offering", "777:Broken Course;FAIL",
                                "--offering-timeline", FAILING,
                                "--forbidden", "4242",
                                extra, extra_value, NULL);
}
