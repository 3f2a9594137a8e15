#include "../pic.h"
int lib_data = 1000;
static int *self = &lib_data;
int lib_fn(int x) { return x + lib_data; }
int lib_read(void) { return *self + ext_data; }
int lib_call(fn f, int x) { return f(x) + (f == ext_fn); }
