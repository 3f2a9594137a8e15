// Exercises: COMDAT deduplication across objects (inline functions with static
// locals, template static data members, inline variables, template instances,
// inline-vtable classes); all files must observe the same single copy.
#include "common.h"
int main() {
    int fails = 0;
    bump(1);
    Registry<int>::add(7);
    Registry<double>::add(2.5);
    inline_var += 1;
    int a = file_a(), b = file_b();
    std::printf("file_a=%d file_b=%d counter=%d inline_var=%d\n", a, b, shared_counter(), inline_var);
    std::printf("Registry<int>: count=%d last=%d; Registry<double>: count=%d last=%.2f\n", Registry<int>::count,
                Registry<int>::last, Registry<double>::count, Registry<double>::last);
    std::printf("tmax=%d %.1f fact<6>=%d widget id=%d\n", tmax(3, 9), tmax(2.5, -1.0), fact<6>(), the_widget().id());
    if (&the_widget() != &the_widget()) fails++;
    if (shared_counter() != 1 + 10 + 100 || Registry<int>::count != 3 || inline_var != 104) fails++;
    std::printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
