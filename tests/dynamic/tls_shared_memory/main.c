// The main module has thread-local data too (its own `__tls_base`) and calls the library.
#define EXPORT __attribute__((visibility("default")))
int bump(void);
int *tls_addr(void);
int table_sum(void);
static _Thread_local int mine = 7;
EXPORT int run(void) {
  int a = bump();
  int b = bump();
  mine += 1;
  return a * 1000 + b + (*tls_addr() == 25) * 100000 + mine * 1000000;
}
EXPORT int sum_after(void) { return table_sum(); }
