#include "pic.h"
int ext_fn(int x) { return x * 10; }
int ext_data = 42;
