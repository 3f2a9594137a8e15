#pragma once
#include <typeinfo>
struct Iface {
    virtual ~Iface() {}
    virtual int value() const = 0;
    virtual const char *who() const = 0;
};
template <typename T> int twice(const T &t) { return 2 * t.value(); }
inline bool same_type(const Iface *x, const Iface *y) { return typeid(*x) == typeid(*y); }
Iface *make_a();
Iface *make_b();
int counter_a();
int counter_b();
