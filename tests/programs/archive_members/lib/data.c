#include <stdio.h>
const int lib_data[4] = { 3, 1, 4, 1 };
int bonus(void) { return 99; }
__attribute__((constructor)) static void data_ctor(void) { puts("ctor: data.o pulled"); }
