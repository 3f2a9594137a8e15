#include <stdio.h>

int main(void) {
    printf("hello, weld\n");
    return 0;
}
