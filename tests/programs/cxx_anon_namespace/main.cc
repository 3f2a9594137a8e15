// Exercises: internal-linkage C++ entities with identical names in several
// objects — classes in anonymous namespaces with virtual functions (local
// vtables/typeinfo), template instantiations over those local types, and
// static variables — none may be merged with another file's copy.
#include <cstdio>
#include "iface.h"

namespace {
struct Impl : Iface {
    int value() const override { return 1; }
    const char *who() const override { return "main.cc Impl"; }
};
int counter = 1000;
Impl main_impl;
}

int main() {
    Iface *objs[3] = { &main_impl, make_a(), make_b() };
    int sum = 0;
    for (Iface *o : objs) {
        std::printf("%-12s value=%d twice=%d\n", o->who(), o->value(), twice(*o));
        sum += o->value();
    }
    counter += sum;
    std::printf("counters: main=%d a=%d b=%d\n", counter, counter_a(), counter_b());
    std::printf("same dynamic type main/a: %d, a/b: %d\n", same_type(objs[0], objs[1]), same_type(objs[1], objs[2]));
    return sum == 1 + 20 + 300 ? 0 : 1;
}
