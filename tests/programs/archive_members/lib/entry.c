#include <stdio.h>
int lib_transitive(int);
__attribute__((constructor)) static void entry_ctor(void) { puts("ctor: entry.o pulled"); }
int lib_entry(int x) { return lib_transitive(x) + 1; }
