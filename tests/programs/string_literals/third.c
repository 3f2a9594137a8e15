/* A third file repeating literals, referenced only so the object is linked. */
#include <stdio.h>
__attribute__((constructor)) static void third_ctor(void) {
    printf("third.c sees [%s] and [%s]\n", "shared literal", "world");
}
