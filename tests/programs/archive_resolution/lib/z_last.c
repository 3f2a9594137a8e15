int a_helper(int x);   /* refers back to an earlier member */
int z_last(int x) { return a_helper(x) + 1; }
