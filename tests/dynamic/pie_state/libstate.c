// A library that changes the main module's data through its GOT and keeps .bss and stored
// pointers of its own.
#define EXPORT __attribute__((visibility("default")))
extern int main_counter;
EXPORT int lib_bump(void) { return ++main_counter; }
EXPORT int lib_apply(int (*f)(int), int x) { return f(x); }
EXPORT int *lib_counter_addr(void) { return &main_counter; }
static int lib_bss[32];
EXPORT int lib_data = 3;
int *lib_ptrs[2] = {&lib_data, &main_counter};
EXPORT int lib_sum(void) {
  lib_bss[5] += 1;
  return *lib_ptrs[0] + *lib_ptrs[1] + lib_bss[5];
}
