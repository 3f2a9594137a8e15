#define EXPORT __attribute__((visibility("default")))
EXPORT int main_fn(int x) { return x + 1; }
extern int lib_fn(int);
extern int (*lib_addr_of_main_fn(void))(int);
extern int (*lib_addr_of_lib_fn(void))(int);
extern int (*lib_table[2])(int);
// The main module binds its own main_fn (its own table slot); the library reaches it
// through GOT.func.main_fn: the loader must give both the same slot.
EXPORT int main_fn_same(void) { return lib_addr_of_main_fn() == main_fn && lib_table[0] == main_fn; }
// Both modules reach lib_fn through GOT.func.lib_fn (it may be preempted).
EXPORT int lib_fn_same(void) { return lib_addr_of_lib_fn() == lib_fn && lib_table[1] == lib_fn; }
EXPORT int calls(void) { return lib_addr_of_main_fn()(10) * 100 + lib_table[1](5); }
