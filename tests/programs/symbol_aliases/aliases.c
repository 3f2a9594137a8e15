/* Definitions and their aliases. */
int real_impl(int x) { return x * 3 + 1; }
int alias_fn(int) __attribute__((alias("real_impl")));
int default_hook(void) { return 1; }
int hook(void) __attribute__((weak, alias("default_hook")));
int other_hook(void) __attribute__((weak, alias("default_hook")));
int data_real = 5;
extern int data_alias __attribute__((alias("data_real")));
static int table_impl[4] = { 1, 2, 3, 4 };
extern int table_alias[4] __attribute__((alias("table_impl")));
int show_table(void) { return table_impl[2]; }
void *real_impl_addr(void) { return (void *)real_impl; }
void *data_real_addr(void) { return &data_real; }
