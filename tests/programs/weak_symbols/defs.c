/* Weak data and a second weak definition of both_weak(). */
__attribute__((weak)) int threshold = 5;
__attribute__((weak)) int weak_only = 3;
int present_var = 11;
__attribute__((weak)) int config_value(void) { return 2; }
__attribute__((weak)) const char *both_weak(void) { return "from defs.c"; }
int present_fn(int x) { return x * x + 1; }
int call_via_defs(void) { return config_value() * 100 + threshold; } /* must see strong defs */
const char *both_weak_from_defs(void) { return both_weak(); }
