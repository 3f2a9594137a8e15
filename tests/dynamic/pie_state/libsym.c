// Linked -Bsymbolic: its own default-visibility data and functions bind to its definitions
// (GOT.data.internal/GOT.func.internal globals moved by __wasm_apply_global_relocs), so its
// weak function is not preempted by the main module's strong one of the same name.
#define EXPORT __attribute__((visibility("default")))
EXPORT int sym_data[4] = {1, 2, 3, 4};
EXPORT int sym_bss;
EXPORT __attribute__((weak)) int sym_weak(void) { return 9; }
EXPORT int sym_twice(int x) { return 2 * x; }
int (*sym_fp)(int) = sym_twice;
EXPORT int sym_total(void) {
  sym_bss += 1;
  int (*volatile f)(int) = sym_twice;
  return sym_data[0] + sym_data[3] + sym_bss + f(3) + sym_fp(1) + sym_weak();
}
