// Every object of this case is compiled with -fPIC, as for a shared library, but linked into an
// ordinary static executable: the GOT entries become internal globals (wasm-ld's
// GOT.func.internal.* / GOT.data.internal.*) and __memory_base/__table_base are constants.
#include <stdio.h>
#include "pic.h"

static int local_fn(int x) { return x + 1; }
__attribute__((visibility("hidden"))) int hidden_fn(int x) { return x + 2; }
__attribute__((weak)) extern int weak_fn(int);
__attribute__((weak)) extern int weak_data;
_Thread_local int tls_var = 7;
static const char *names[] = {"ext", "local", "hidden", "lib"};
int (*table[])(int) = {ext_fn, local_fn, hidden_fn, lib_fn};

__attribute__((noinline)) fn pick(int i) {
  switch (i) {
  case 0: return ext_fn;
  case 1: return local_fn;
  case 2: return hidden_fn;
  case 3: return lib_fn;
  default: return weak_fn;
  }
}

__attribute__((noinline)) int *addr(int i) {
  switch (i) {
  case 0: return &ext_data;
  case 1: return &lib_data;
  default: return &weak_data;
  }
}

int main(void) {
  int sum = 0;
  for (int i = 0; i < 4; i++) {
    int a = pick(i)(i), b = table[i](i);
    printf("%s: %d %d %d\n", names[i], a, b, pick(i) == table[i]);
    sum += a;
  }
  printf("weak function %s, weak data %s\n", pick(9) ? "present" : "absent",
         addr(2) ? "present" : "absent");
  printf("data %d %d, via lib %d\n", *addr(0), *addr(1), lib_read());
  printf("tls %d %d\n", tls_var++, tls_var);
  printf("callback %d\n", lib_call(local_fn, 40));
  ext_data += sum;
  return ext_data == 42 + sum ? 0 : 1;
}
