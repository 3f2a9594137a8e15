// The library at the bottom: data, a log its users append to, and a weak function.
#define EXPORT __attribute__((visibility("default")))
EXPORT int base_value = 7;
EXPORT int base_log[8];
EXPORT int base_log_len;
EXPORT void base_record(int v) { base_log[base_log_len++] = v; }
EXPORT int base_apply(int (*f)(int), int x) { return f(x); }
__attribute__((weak)) EXPORT int base_weak(void) { return 100; }
EXPORT int base_own_weak(void) { return base_weak(); }
__attribute__((constructor)) static void base_init(void) { base_record(1); }
