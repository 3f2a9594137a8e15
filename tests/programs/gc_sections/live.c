/* A linked list in data; each node's function is reachable only via data. */
#include <stdio.h>
struct node { int value; const struct node *next; int (*fn)(int); };
static int times_ten(int x) { return x * 10; }
static int plus_one(int x) { return x + 1; }
static int square_plus(int x) { return x * x + 1; }
static const struct node n3 = { 300, 0, plus_one };
static const struct node n2 = { 3, &n3, times_ten };
const struct node list_head = { 1, &n2, square_plus };
int reached_directly(int x) { return x * x; }
