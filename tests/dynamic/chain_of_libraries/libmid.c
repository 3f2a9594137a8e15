// A library that needs libbase, and calls back into the main module.
#define EXPORT __attribute__((visibility("default")))
extern int base_value;
extern void base_record(int);
extern int base_apply(int (*)(int), int);
extern int base_weak(void);
extern int main_hook(int);
static int triple(int x) { return 3 * x; }
EXPORT int *mid_ptr = &base_value;
__attribute__((constructor)) static void mid_init(void) { base_record(2); }
EXPORT int mid_calc(int x) { return base_apply(triple, x) + base_apply(main_hook, x) + *mid_ptr; }
EXPORT int mid_weak(void) { return base_weak(); }
