#include <stdio.h>
__attribute__((constructor)) static void feature_ctor(void) { puts("ctor: feature.o extracted"); }
int feature_entry(void) { return 7; }
/* Extracted for feature_entry; its strong hook() then overrides main.c's weak one. */
const char *hook(void) { return "strong hook from feature.o"; }
