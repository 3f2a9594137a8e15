/* Two registrations; no symbol of this file is referenced from elsewhere except
 * via the section, so only the section-level retain keeps them. */
#include "reg.h"
#include <stdio.h>
static int run_beta(int x) { return x * 2; }
static int run_gamma(int x) { return x - 50; }
REGISTER(beta, 20, run_beta);
REGISTER(gamma, 53, run_gamma);
int plugins_marker(void) { return 0; }
