/* zlib (the stock sources bundled by the libz-sys crate): deflate/inflate a
 * deterministic ~1 MiB buffer at several levels, strategies and wrappers
 * (zlib, raw, gzip), one-shot and streamed in small chunks; prints sizes and
 * adler32/crc32 checksums and checks every round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zlib.h"

#define N (1u << 20)

static unsigned char *src, *comp, *back;
static unsigned long seed = 88172645463325252ul;

static unsigned xorshift(void) {
    seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
    return (unsigned)(seed >> 11);
}

/* Text-like words, runs, a counter table and noise, in 4 KiB-ish blocks. */
static void fill(void) {
    static const char *words[] = {"linker", "symbol", "section", "relocation", "table",
                                  "memory", "export", "import", "global", "segment",
                                  "function", "archive", "object", "weak", "data"};
    size_t i = 0;
    while (i < N) {
        unsigned kind = xorshift() % 4, len = 512 + xorshift() % 4096;
        for (unsigned k = 0; k < len && i < N; k++) {
            switch (kind) {
            case 0: { const char *w = words[xorshift() % 15];
                      while (*w && i < N) src[i++] = (unsigned char)*w++;
                      if (i < N) src[i++] = (xorshift() % 9) ? ' ' : '\n'; break; }
            case 1: src[i++] = (unsigned char)('a' + (k / 97) % 26); break;
            case 2: src[i++] = (unsigned char)(k * 7 + (k >> 5)); break;
            default: src[i++] = (unsigned char)xorshift(); break;
            }
        }
    }
}

static void check(int ok, const char *what) {
    if (!ok) { printf("FAILED: %s\n", what); exit(1); }
}

/* Streams src through deflate in chunks of `in`/`out` bytes. */
static unsigned long deflate_stream(int level, int wbits, int mem, int strategy,
                                    unsigned in, unsigned out) {
    z_stream s;
    memset(&s, 0, sizeof s);
    check(deflateInit2(&s, level, Z_DEFLATED, wbits, mem, strategy) == Z_OK, "deflateInit2");
    size_t pos = 0, cpos = 0;
    int ret;
    do {
        unsigned n = (N - pos < in) ? (unsigned)(N - pos) : in;
        s.next_in = src + pos; s.avail_in = n; pos += n;
        int flush = pos == N ? Z_FINISH : Z_NO_FLUSH;
        do {
            s.next_out = comp + cpos; s.avail_out = out;
            ret = deflate(&s, flush);
            check(ret != Z_STREAM_ERROR, "deflate");
            cpos += out - s.avail_out;
        } while (s.avail_out == 0);
    } while (ret != Z_STREAM_END);
    check(s.total_out == cpos, "total_out");
    deflateEnd(&s);
    return (unsigned long)cpos;
}

static void inflate_stream(unsigned long clen, int wbits, unsigned in, unsigned out) {
    z_stream s;
    memset(&s, 0, sizeof s);
    check(inflateInit2(&s, wbits) == Z_OK, "inflateInit2");
    size_t pos = 0, bpos = 0;
    int ret = Z_OK;
    while (ret != Z_STREAM_END) {
        unsigned n = (clen - pos < in) ? (unsigned)(clen - pos) : in;
        s.next_in = comp + pos; s.avail_in = n; pos += n;
        do {
            unsigned room = (N + 64 - bpos < out) ? (unsigned)(N + 64 - bpos) : out;
            s.next_out = back + bpos; s.avail_out = room;
            ret = inflate(&s, Z_NO_FLUSH);
            check(ret == Z_OK || ret == Z_STREAM_END || ret == Z_BUF_ERROR, "inflate");
            bpos += room - s.avail_out;
        } while (s.avail_out == 0 && ret != Z_STREAM_END);
    }
    check(bpos == N && memcmp(src, back, N) == 0, "round trip");
    inflateEnd(&s);
}

int main(void) {
    src = malloc(N); comp = malloc(compressBound(N) + 1024); back = malloc(N + 64);
    check(src && comp && back, "malloc");
    fill();
    printf("zlib %s, input %u bytes\n", zlibVersion(), N);
    uLong a = adler32(1, src, N), c = crc32(0, src, N);
    printf("adler32 %08lx crc32 %08lx\n", a, c);
    /* Checksums over two halves, combined. */
    uLong a1 = adler32(1, src, N / 3), a2 = adler32(1, src + N / 3, N - N / 3);
    uLong c1 = crc32(0, src, N / 3), c2 = crc32(0, src + N / 3, N - N / 3);
    check(adler32_combine(a1, a2, N - N / 3) == a, "adler32_combine");
    check(crc32_combine(c1, c2, N - N / 3) == c, "crc32_combine");
    printf("combine ok; deflateBound-ish compressBound %lu\n", compressBound(N));

    for (int level = 0; level <= 9; level += (level < 3 ? 1 : 3)) {
        uLongf clen = compressBound(N);
        check(compress2(comp, &clen, src, N, level) == Z_OK, "compress2");
        uLongf blen = N;
        check(uncompress(back, &blen, comp, clen) == Z_OK && blen == N, "uncompress");
        check(memcmp(src, back, N) == 0, "compare");
        printf("compress2 level %d: %lu bytes, adler32(comp) %08lx\n", level, clen, adler32(1, comp, clen));
    }

    static const struct { const char *name; int strategy; } strat[] = {
        {"default", Z_DEFAULT_STRATEGY}, {"filtered", Z_FILTERED},
        {"huffman", Z_HUFFMAN_ONLY}, {"rle", Z_RLE}, {"fixed", Z_FIXED}};
    for (int i = 0; i < 5; i++) {
        unsigned long clen = deflate_stream(6, 15, 8, strat[i].strategy, 10007, 4093);
        printf("strategy %-8s: %lu bytes crc32 %08lx\n", strat[i].name, clen, crc32(0, comp, clen));
        inflate_stream(clen, 15, 3001, 8191);
    }

    static const struct { const char *name; int wbits, mem, level; } wrap[] = {
        {"raw w15", -15, 8, 6}, {"raw w9", -9, 1, 1}, {"gzip", 31, 9, 9}, {"zlib w10", 10, 4, 4}};
    for (int i = 0; i < 4; i++) {
        unsigned long clen = deflate_stream(wrap[i].level, wrap[i].wbits, wrap[i].mem,
                                            Z_DEFAULT_STRATEGY, 65536, 1 << 20);
        printf("wrapper %-8s: %lu bytes crc32 %08lx head %02x %02x\n", wrap[i].name, clen,
               crc32(0, comp, clen), comp[0], comp[1]);
        /* auto-detect zlib/gzip with 47, raw needs its own window bits */
        inflate_stream(clen, wrap[i].wbits < 0 ? wrap[i].wbits : 47, 777, 100000);
    }

    /* Corrupt a stream: inflate must report a data error, not crash. */
    uLongf clen = compressBound(N);
    check(compress2(comp, &clen, src, N, 6) == Z_OK, "compress2");
    comp[clen / 2] ^= 0x55;
    uLongf blen = N;
    int r = uncompress(back, &blen, comp, clen);
    printf("corrupted stream: %s\n", r == Z_DATA_ERROR ? "Z_DATA_ERROR" : r == Z_OK ? "Z_OK" : "other error");

    free(src); free(comp); free(back);
    printf("done\n");
    return 0;
}
