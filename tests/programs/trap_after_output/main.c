/* Exercises: a trap (unreachable) reached through an indirect call into
 * another file, after stdout/stderr output was flushed explicitly. */
#include <stdio.h>
void (*get_crasher(void))(int);
int main(void) {
    printf("before trap\n");
    fprintf(stderr, "stderr before trap\n");
    fflush(stdout);
    get_crasher()(42);
    printf("UNREACHABLE\n");
    return 0;
}
