// Weak definitions a library exports: one the main module preempts, one it uses.
#define EXPORT __attribute__((visibility("default")))
EXPORT __attribute__((weak)) int shared_counter = 5;
EXPORT __attribute__((weak)) int lib_only_weak = 7;
EXPORT int lib_read_counter(void) { return shared_counter; }
EXPORT int lib_weak_value(void) { return lib_only_weak; }
EXPORT int *lib_counter_addr(void) { return &shared_counter; }
