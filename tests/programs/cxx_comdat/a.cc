#include "common.h"
int file_a() {
    bump(10);
    Registry<int>::add(8);
    inline_var += 1;
    return tmax(4, 2) + fact<5>() + the_widget().id();
}
