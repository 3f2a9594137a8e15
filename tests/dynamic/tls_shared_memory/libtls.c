// A library with thread-local data of its own, in a shared memory: `__wasm_init_memory` (the
// start function) copies `.tdata` to `__memory_base + offset` once and points the library's
// `__tls_base` at it.
#define EXPORT __attribute__((visibility("default")))
static _Thread_local int counter = 5;
_Thread_local int table[4] = {1, 2, 3, 4};
EXPORT int *tls_addr(void) { return &counter; }
EXPORT int bump(void) {
  counter += 10;
  table[2] += counter;
  return counter;
}
EXPORT int table_sum(void) { return table[0] + table[1] + table[2] + table[3]; }
