/* Data in a second file, and a recursive function using stack frames. */
char last_data[3] = "ok";
long recurse(int depth, volatile char *prev) {
    volatile char frame[64];
    for (int i = 0; i < 64; i++) frame[i] = (char)(depth + i);
    if (depth == 0) return frame[5] + (prev != 0);
    return frame[depth % 64] + recurse(depth - 1, frame);
}
