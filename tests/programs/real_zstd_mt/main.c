/* zstd (the sources bundled by the zstd-sys crate) built with ZSTD_MULTITHREAD against the
 * threaded wasi-libc: compression by worker threads (zstd's own pool of pthreads, mutexes and
 * condition variables), in one shot and streamed, then decompression and comparison.
 * zstd's multi-threaded output does not depend on scheduling, so sizes and hashes are stable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY
#include "zstd.h"
#include "xxhash.h"

#define N (3u << 20)

static unsigned char *src, *comp, *back;
static unsigned rng = 88172645u;
static unsigned next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static void zcheck(size_t r, const char *what) {
    if (ZSTD_isError(r)) { printf("FAILED: %s: %s\n", what, ZSTD_getErrorName(r)); exit(1); }
}

static void fill(void) {
    size_t i = 0;
    while (i < N) {
        unsigned kind = next() % 6;
        if (kind < 3) {
            char tmp[96];
            int n = snprintf(tmp, sizeof tmp, "worker %u wrote block %u of segment .tdata.%u\n",
                             next() % 8, next() % 100000, next() % 32);
            for (int k = 0; k < n && i < N; k++) src[i++] = (unsigned char)tmp[k];
        } else if (kind < 5) {
            for (unsigned k = 0; k < 400 && i < N; k++) src[i++] = (unsigned char)(k % 17 + (i >> 12));
        } else {
            for (unsigned k = 0; k < 120 && i < N; k++) src[i++] = (unsigned char)next();
        }
    }
}

static size_t compress_mt(int level, int workers, size_t in_chunk) {
    ZSTD_CCtx *c = ZSTD_createCCtx();
    zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level), "level");
    zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, workers), "nbWorkers");
    zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_jobSize, 1 << 20), "jobSize");
    zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1), "checksum");
    size_t pos = 0, cpos = 0, rem;
    do {
        size_t n = N - pos < in_chunk ? N - pos : in_chunk;
        ZSTD_inBuffer in = {src + pos, n, 0};
        ZSTD_EndDirective end = pos + n == N ? ZSTD_e_end : ZSTD_e_continue;
        do {
            ZSTD_outBuffer out = {comp + cpos, ZSTD_compressBound(N) - cpos, 0};
            rem = ZSTD_compressStream2(c, &out, &in, end);
            zcheck(rem, "compressStream2");
            cpos += out.pos;
        } while (end == ZSTD_e_end ? rem != 0 : in.pos < in.size);
        pos += n;
    } while (pos < N);
    ZSTD_freeCCtx(c);
    return cpos;
}

int main(void) {
    src = malloc(N);
    comp = malloc(ZSTD_compressBound(N));
    back = malloc(N);
    if (!src || !comp || !back) { printf("FAILED: malloc\n"); return 1; }
    fill();
    printf("source: %u bytes, xxh64 %016llx\n", N, (unsigned long long)XXH64(src, N, 0));
    const int levels[] = {1, 3, 7};
    const int workers[] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        size_t c = compress_mt(levels[i], workers[i], i == 1 ? 200000 : N);
        memset(back, 0, N);
        size_t d = ZSTD_decompress(back, N, comp, c);
        zcheck(d, "decompress");
        printf("level %d, %d workers: %zu -> %zu bytes, round trip %s, xxh64 of frame %016llx\n",
               levels[i], workers[i], (size_t)N, c, d == N && !memcmp(src, back, N) ? "ok" : "BAD",
               (unsigned long long)XXH64(comp, c, 0));
    }
    free(src);
    free(comp);
    free(back);
    return 0;
}
