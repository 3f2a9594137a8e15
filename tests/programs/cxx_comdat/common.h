// Inline functions, templates and inline variables defined in a header and
// instantiated in every file: each object gets a COMDAT copy; the linker must
// keep exactly one so that static locals / static members are shared.
#pragma once
#include <cstdio>

inline int &shared_counter() { static int n = 0; return n; }
inline int bump(int by) { return shared_counter() += by; }
inline int inline_var = 100;                       // C++17 inline variable

template <typename T> struct Registry {
    static int count;
    static T last;
    static void add(T v) { ++count; last = v; }
};
template <typename T> int Registry<T>::count = 0;
template <typename T> T Registry<T>::last = T();

template <typename T> T tmax(T a, T b) { return a > b ? a : b; }
template <int N> int fact() { return N * fact<N - 1>(); }
template <> inline int fact<0>() { return 1; }

struct Widget {                                    // class with inline virtuals: vtable in COMDAT
    virtual ~Widget() {}
    virtual int id() const { return 1; }
};
inline Widget &the_widget() { static Widget w; return w; }

int file_a(); int file_b();
