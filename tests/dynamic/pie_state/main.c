// A PIE main module with state of its own: default-visibility data that its code reaches
// through its own GOT (GOT.data.internal globals set by __wasm_apply_global_relocs) and that a
// library reaches through GOT.mem, .bss left to the fresh memory, pointers stored in data
// (__wasm_apply_data_relocs), the shadow stack, and a constructor.
#define EXPORT __attribute__((visibility("default")))
EXPORT int main_counter = 5;
EXPORT int main_bss[64];
static int local_table[3] = {10, 20, 30};
int *local_ptr = &local_table[1];
static int add1(int x) { return x + 1; }
EXPORT int twice(int x) { return 2 * x; }
int (*main_fns[2])(int) = {add1, twice};
static int ctor_value;
__attribute__((constructor)) static void main_ctor(void) {
  ctor_value = 42;
  main_bss[3] = 7;
}
extern int lib_bump(void);
extern int lib_apply(int (*)(int), int);
extern int *lib_counter_addr(void);
extern int lib_sum(void);
extern int sym_total(void);
extern int sym_weak(void);
__attribute__((noinline)) static int stack_sum(int n) {
  volatile int a[16];
  int s = 0;
  for (int i = 0; i < 16; i++) a[i] = i * n;
  for (int i = 0; i < 16; i++) s += a[i];
  return s;
}
EXPORT int counter_after_bump(void) {
  lib_bump();
  lib_bump();
  return main_counter;
}
EXPORT int bss_and_ctor(void) { return main_bss[3] + main_bss[10] + ctor_value; }
EXPORT int pointers(void) { return *local_ptr + main_fns[0](1) + main_fns[1](3); }
EXPORT int callback(void) { return lib_apply(twice, 21) + lib_apply(add1, 1); }
EXPORT int stack(void) { return stack_sum(2); }
EXPORT int same_counter(void) { return lib_counter_addr() == &main_counter; }
EXPORT int library_state(void) { return lib_sum() * 100 + lib_sum(); }
EXPORT int symbolic(void) { return sym_total() * 10 + sym_weak(); }
