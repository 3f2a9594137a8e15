#include "iface.h"
namespace {
struct Impl : Iface {
    int value() const override { return 20; }
    const char *who() const override { return "a.cc Impl"; }
};
int counter = 2000;
template <typename T> struct Box { static T instance; };
template <typename T> T Box<T>::instance;
}
Iface *make_a() { counter += 1; return &Box<Impl>::instance; }
int counter_a() { return counter; }
