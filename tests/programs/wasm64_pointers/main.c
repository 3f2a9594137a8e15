/* Freestanding wasm64: data and function pointers (64-bit addresses and table slots),
 * constructors, .bss, and offsets beyond 4 GiB in pointer arithmetic. */
#include <stddef.h>
#include <stdint.h>

static int table[4] = {1, 2, 3, 4};
int *ptrs[2] = {&table[1], &table[3]};
static long add(long a, long b) { return a + b; }
static long mul(long a, long b) { return a * b; }
static long sub(long a, long b) { return a - b; }
long (*ops[3])(long, long) = {add, mul, sub};
static const char message[] = "wasm64 says hello";
const char *messages[2] = {message, message + 7};
char big[100];
static int ctor_count;
static uint64_t far_offset = 0x100000000ull; /* 4 GiB */

__attribute__((constructor)) static void first(void) { ctor_count += 1; big[5] = 9; }
__attribute__((constructor(101))) static void early(void) { ctor_count *= 10; }

__attribute__((export_name("pointer_size"))) int pointer_size(void) { return (int)sizeof(void *); }
__attribute__((export_name("apply"))) long apply_all(void) {
  long r = 0;
  for (int i = 0; i < 3; i++) r = r * 100 + ops[i](7, 3) + *ptrs[i % 2];
  return r;
}
__attribute__((export_name("strings"))) int strings(void) {
  int n = 0;
  for (const char *p = messages[1]; *p; p++) n = n * 3 + *p;
  return n + messages[1][-1];
}
__attribute__((export_name("ctors"))) int ctors(void) { return ctor_count * 100 + big[5]; }
__attribute__((export_name("addresses"))) uint64_t addresses(void) {
  /* Addresses are 64-bit: differences are exact, and a far offset stays unwrapped. */
  uintptr_t a = (uintptr_t)&table[3] - (uintptr_t)&table[0];
  uintptr_t b = (uintptr_t)&big[0] + far_offset;
  return a + (b - (uintptr_t)&big[0]);
}
__attribute__((export_name("fnptr_slots"))) long fnptr_slots(void) {
  return (long)(uintptr_t)ops[0] * 10000 + (long)(uintptr_t)ops[1] * 100 + (long)(uintptr_t)ops[2];
}
