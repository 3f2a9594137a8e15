// Weak data across modules: the main module's strong definition preempts a library's weak one
// (the library reaches it through GOT.mem), a weak reference in the main module finds a
// library's weak definition, and one nobody defines reads as null.
#define EXPORT __attribute__((visibility("default")))
EXPORT int shared_counter = 100;
__attribute__((weak)) extern int lib_only_weak;
__attribute__((weak)) extern int nobody;
extern int lib_read_counter(void);
extern int lib_weak_value(void);
extern int *lib_counter_addr(void);
EXPORT int counter_from_lib(void) {
  shared_counter += 1;
  return lib_read_counter();
}
EXPORT int lib_weak_seen(void) { return &lib_only_weak ? lib_only_weak : -1; }
EXPORT int nobody_null(void) { return &nobody == 0; }
EXPORT int lib_own_weak(void) { return lib_weak_value(); }
EXPORT int same_counter(void) { return lib_counter_addr() == &shared_counter; }
