// Replacement global operator new/delete: strong definitions in an object file
// override libc++'s weak ones in libc++.a / libc++abi.a.
#include <cstdio>
#include <cstdlib>
#include <new>

int g_allocs, g_frees;
long g_bytes;
void *operator new(std::size_t n) {
    ++g_allocs; g_bytes += (long)n;
    void *p = std::malloc(n ? n : 1);
    if (!p) std::abort();
    return p;
}
void operator delete(void *p) noexcept { if (p) { ++g_frees; std::free(p); } }
void operator delete(void *p, std::size_t) noexcept { operator delete(p); }
