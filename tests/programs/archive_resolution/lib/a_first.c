const char *pick(void) { return "a_first.o (first definition in the archive)"; }
int a_helper(int x) { return x * 100; }
