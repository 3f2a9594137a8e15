// Exercises: C++ dynamic initialization across files (_GLOBAL__sub_I_* in
// __wasm_call_ctors, ordered by input file), init_priority, function-local
// statics, and global destructors registered with __cxa_atexit (reverse order).
#include <cstdio>
#include "log.h"

extern int computed_in_a;           // dynamically initialised in a.cc
static Tracer main_first("main.cc global #1");
static Tracer main_prio __attribute__((init_priority(200))) ("main.cc init_priority(200)");
static Tracer main_second("main.cc global #2");

static Tracer &lazy() {
    static Tracer t("function-local static");
    return t;
}

int main() {
    log_event("main() begins");
    std::printf("computed_in_a = %d\n", computed_in_a);
    lazy();
    lazy();
    log_event("main() returns");
    return 0;
}
