#include <stdio.h>
#include <stdlib.h>
void finish(int code) {
    fprintf(stderr, "fatal: giving up with code %d\n", code);
    exit(code);
}
