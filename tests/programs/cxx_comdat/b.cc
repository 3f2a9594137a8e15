#include "common.h"
int file_b() {
    bump(100);
    Registry<int>::add(9);
    Registry<double>::add(-1.5);
    inline_var += 2;
    return tmax(1, 6) * 1000 + fact<3>() + the_widget().id();
}
