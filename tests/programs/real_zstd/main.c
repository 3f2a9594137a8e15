/* zstd (the sources bundled by the zstd-sys crate), single-threaded:
 * one-shot and streamed compression of a deterministic 1 MiB buffer at
 * several levels, frame checksums, a trained dictionary, error reporting.
 * Prints sizes and XXH64 (zstd's own copy, pulled from the archive). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY
#include "zstd.h"
#include "zdict.h"
#include "xxhash.h"

#define N (1u << 20)

static unsigned char *src, *comp, *back;
static unsigned rng = 2463534242u;
static unsigned next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static void check(int ok, const char *what) {
    if (!ok) { printf("FAILED: %s\n", what); exit(1); }
}
static void zcheck(size_t r, const char *what) {
    if (ZSTD_isError(r)) { printf("FAILED: %s: %s\n", what, ZSTD_getErrorName(r)); exit(1); }
}

/* Log-like lines with numbers, a slowly changing table, some noise. */
static size_t make_record(unsigned char *p, unsigned i) {
    static const char *lvl[] = {"INFO", "WARN", "DEBUG", "ERROR"};
    static const char *mod[] = {"linker::layout", "linker::gc", "linker::reloc", "io", "parse"};
    return (size_t)sprintf((char *)p, "%06u %-5s [%s] resolved %u symbols in segment .data.%u (offset 0x%x)\n",
                           i, lvl[next() % 4], mod[next() % 5], next() % 5000, next() % 64, next() & 0xfffff);
}

static void fill(void) {
    size_t i = 0;
    unsigned rec = 0;
    while (i < N) {
        unsigned kind = next() % 8;
        if (kind < 5) {
            unsigned char tmp[160];
            size_t n = make_record(tmp, rec++);
            for (size_t k = 0; k < n && i < N; k++) src[i++] = tmp[k];
        } else if (kind < 7) {
            for (unsigned k = 0; k < 300 && i < N; k++) src[i++] = (unsigned char)((i >> 8) + k % 13);
        } else {
            for (unsigned k = 0; k < 200 && i < N; k++) src[i++] = (unsigned char)next();
        }
    }
}

static size_t stream_compress(int level, int checksum, size_t in_chunk, size_t out_chunk) {
    ZSTD_CCtx *c = ZSTD_createCCtx();
    zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level), "level");
    zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum), "checksum");
    zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 20), "windowLog");
    zcheck(ZSTD_CCtx_setPledgedSrcSize(c, N), "pledged");
    size_t pos = 0, cpos = 0, rem;
    do {
        size_t n = N - pos < in_chunk ? N - pos : in_chunk;
        ZSTD_inBuffer in = {src + pos, n, 0};
        ZSTD_EndDirective end = pos + n == N ? ZSTD_e_end : ZSTD_e_continue;
        do {
            ZSTD_outBuffer out = {comp + cpos, out_chunk, 0};
            rem = ZSTD_compressStream2(c, &out, &in, end);
            zcheck(rem, "compressStream2");
            cpos += out.pos;
        } while (end == ZSTD_e_end ? rem != 0 : in.pos < in.size);
        pos += n;
    } while (pos < N);
    ZSTD_freeCCtx(c);
    return cpos;
}

static void stream_decompress(size_t clen, size_t in_chunk, size_t out_chunk) {
    ZSTD_DCtx *d = ZSTD_createDCtx();
    size_t pos = 0, bpos = 0, r = 1;
    while (pos < clen) {
        size_t n = clen - pos < in_chunk ? clen - pos : in_chunk;
        ZSTD_inBuffer in = {comp + pos, n, 0};
        while (in.pos < in.size) {
            size_t room = N - bpos < out_chunk ? N - bpos : out_chunk;
            ZSTD_outBuffer out = {back + bpos, room, 0};
            r = ZSTD_decompressStream(d, &out, &in);
            zcheck(r, "decompressStream");
            bpos += out.pos;
        }
        pos += n;
    }
    check(r == 0 && bpos == N && memcmp(src, back, N) == 0, "stream round trip");
    ZSTD_freeDCtx(d);
}

int main(void) {
    src = malloc(N); back = malloc(N);
    size_t bound = ZSTD_compressBound(N);
    comp = malloc(bound);
    check(src && back && comp, "malloc");
    fill();
    printf("zstd %s, input %u bytes, bound %zu, xxh64 %016llx\n", ZSTD_versionString(), N, bound,
           (unsigned long long)XXH64(src, N, 0));

    static const int levels[] = {-5, 1, 3, 7, 12};
    for (int i = 0; i < 5; i++) {
        size_t clen = ZSTD_compress(comp, bound, src, N, levels[i]);
        zcheck(clen, "compress");
        unsigned long long fcs = ZSTD_getFrameContentSize(comp, clen);
        size_t blen = ZSTD_decompress(back, N, comp, clen);
        zcheck(blen, "decompress");
        check(blen == N && fcs == N && memcmp(src, back, N) == 0, "round trip");
        printf("level %3d: %7zu bytes xxh64 %016llx\n", levels[i], clen,
               (unsigned long long)XXH64(comp, clen, 0));
    }

    static const struct { int level, checksum; size_t in, out; } st[] = {
        {1, 1, 4096, 1000}, {3, 1, 65536, 131072}, {5, 0, 10007, 4093}, {9, 1, 1 << 20, 300}};
    for (int i = 0; i < 4; i++) {
        size_t clen = stream_compress(st[i].level, st[i].checksum, st[i].in, st[i].out);
        printf("stream level %d checksum %d: %7zu bytes xxh64 %016llx\n", st[i].level,
               st[i].checksum, clen, (unsigned long long)XXH64(comp, clen, 1));
        stream_decompress(clen, 777 + i * 1000, 5000 + i * 30000);
        if (st[i].checksum) {
            /* Flip a bit in the last content byte before the checksum. */
            comp[clen - 6] ^= 1;
            size_t r = ZSTD_decompress(back, N, comp, clen);
            printf("  corrupted: %s\n", ZSTD_isError(r) ? ZSTD_getErrorName(r) : "no error");
        }
    }

    /* Dictionary: small records compress far better with a trained dictionary. */
    enum { SAMPLES = 400 };
    unsigned char *samples = malloc(SAMPLES * 640);
    size_t sizes[SAMPLES], total = 0;
    rng = 7;
    for (unsigned i = 0; i < SAMPLES; i++) {
        size_t n = 0;
        unsigned recs = 1 + next() % 4;
        for (unsigned k = 0; k < recs; k++) n += make_record(samples + total + n, i * 4 + k);
        sizes[i] = n; total += n;
    }
    unsigned char dict[8192];
    size_t dlen = ZDICT_trainFromBuffer(dict, sizeof dict, samples, sizes, SAMPLES);
    check(!ZDICT_isError(dlen), "train");
    printf("dictionary: %zu bytes id %u xxh64 %016llx, samples %zu bytes\n", dlen,
           ZDICT_getDictID(dict, dlen), (unsigned long long)XXH64(dict, dlen, 0), total);
    ZSTD_CDict *cd = ZSTD_createCDict(dict, dlen, 3);
    ZSTD_DDict *dd = ZSTD_createDDict(dict, dlen);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    size_t with = 0, without = 0, off = 0;
    XXH64_state_t *h = XXH64_createState();
    XXH64_reset(h, 0);
    for (unsigned i = 0; i < SAMPLES; i++) {
        unsigned char out[1024], dec[700];
        size_t a = ZSTD_compress_usingCDict(cc, out, sizeof out, samples + off, sizes[i], cd);
        zcheck(a, "compress_usingCDict");
        XXH64_update(h, out, a);
        size_t d = ZSTD_decompress_usingDDict(dc, dec, sizeof dec, out, a, dd);
        zcheck(d, "decompress_usingDDict");
        check(d == sizes[i] && memcmp(dec, samples + off, d) == 0, "dict round trip");
        size_t b = ZSTD_compressCCtx(cc, out, sizeof out, samples + off, sizes[i], 3);
        zcheck(b, "compressCCtx");
        with += a; without += b; off += sizes[i];
    }
    printf("dictionary frames: %zu bytes with, %zu without, xxh64 %016llx\n", with, without,
           (unsigned long long)XXH64_digest(h));
    XXH64_freeState(h);
    ZSTD_freeCDict(cd); ZSTD_freeDDict(dd); ZSTD_freeCCtx(cc); ZSTD_freeDCtx(dc);

    size_t r = ZSTD_decompress(back, N, "not a zstd frame", 16);
    printf("garbage: %s\n", ZSTD_isError(r) ? ZSTD_getErrorName(r) : "no error");
    free(samples); free(src); free(back); free(comp);
    printf("done\n");
    return 0;
}
