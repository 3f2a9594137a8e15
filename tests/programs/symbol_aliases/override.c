/* Strong definition replacing the weak alias `hook`. */
int hook(void) { return 2; }
