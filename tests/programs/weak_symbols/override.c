/* Strong definitions that override weak ones in main.c and defs.c. */
int threshold = 9;
int config_value(void) { return 42; }
