#include "iface.h"
namespace {
struct Impl : Iface {
    int value() const override { return 300; }
    const char *who() const override { return "b.cc Impl"; }
};
int counter = 3000;
template <typename T> struct Box { static T instance; };
template <typename T> T Box<T>::instance;
}
Iface *make_b() { counter += 2; return &Box<Impl>::instance; }
int counter_b() { return counter; }
