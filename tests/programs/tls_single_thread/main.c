#include <stdio.h>
static _Thread_local int counter = 40;
static _Thread_local char buf[32];
_Thread_local int *ptr;
int *addr(void) { return &counter; }
int main(void) {
  counter += 2;
  ptr = addr();
  snprintf(buf, sizeof buf, "tls %d", *ptr);
  puts(buf);
  return counter == 42 ? 0 : 1;
}
