// Exercises: a C++ reactor — _initialize must run the C++ global constructors
// (including libc++'s), exported functions then share state between calls.
#include <cstdio>
#include <string>
#include <vector>

struct Registry {
    std::vector<std::string> names;
    Registry() { names.push_back("constructed"); }
};
static Registry reg;                      // dynamic initialisation, run by _initialize
extern std::string suffix;                // in other.cc, also dynamically initialised

extern "C" {
__attribute__((export_name("entries"))) int entries() { return (int)reg.names.size(); }
__attribute__((export_name("push_three"))) int push_three() {
    for (int i = 0; i < 3; i++) reg.names.push_back("item" + std::to_string(i) + suffix);
    return (int)reg.names.back().size();
}
__attribute__((export_name("total"))) int total() {
    int n = 0;
    for (const auto &s : reg.names) n += (int)s.size();
    return n;
}
__attribute__((export_name("describe"))) int describe() {
    std::string all;
    for (const auto &s : reg.names) all += s + ";";
    std::printf("%s\n", all.c_str());
    std::fflush(stdout);
    return (int)all.size();
}
}
