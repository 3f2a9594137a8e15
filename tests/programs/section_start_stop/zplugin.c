#include "reg.h"
static int run_delta(int x) { return x * x; }
static int run_eps(int x) { return x; }
REGISTER(delta, 10, run_delta);
REGISTER(eps, 0, run_eps);
