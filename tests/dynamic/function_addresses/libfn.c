// Function addresses across modules: a function has one address, whichever module takes it.
#define EXPORT __attribute__((visibility("default")))
extern int main_fn(int);
EXPORT int lib_fn(int x) { return x * 3; }
EXPORT int (*lib_addr_of_main_fn(void))(int) { return main_fn; }
EXPORT int (*lib_addr_of_lib_fn(void))(int) { return lib_fn; }
// Stored in data: written by __wasm_apply_data_relocs from the GOT.
EXPORT int (*lib_table[2])(int) = {main_fn, lib_fn};
