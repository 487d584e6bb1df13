// How the events chunks of a trace compress and inflate with zlib's strategies and with
// libdeflate: the measurement behind the writers' Huffman-only events chunks
// (docs/BENCHMARKS.md, "zlib's Huffman-only strategy for events chunks").
//
// The first 400 zlib-compressed events chunks of TRACE are inflated, then recompressed
// with each variant; each is timed over all chunks, best of three: compression, and
// inflation by libdeflate and by zlib. Sizes are relative to zlib's level 1 (what the
// writers used before).
//
//   cc -O2 -o /tmp/deflate-strategies Benchmarks/deflate-strategies.c -lz -l:libdeflate.so.0
//   /tmp/deflate-strategies /tmp/p10m.sctrace
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

// libdeflate.h is not installed with Debian's libdeflate0; these are its declarations.
struct libdeflate_compressor;
struct libdeflate_decompressor;
struct libdeflate_compressor *libdeflate_alloc_compressor(int level);
size_t libdeflate_zlib_compress(struct libdeflate_compressor *, const void *, size_t, void *, size_t);
struct libdeflate_decompressor *libdeflate_alloc_decompressor(void);
int libdeflate_zlib_decompress(struct libdeflate_decompressor *, const void *, size_t, void *, size_t, size_t *);

enum { maxChunks = 400, chunkHeader = 60, repeats = 3 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint32_t u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint8_t *raw[maxChunks], *packed[maxChunks];
static size_t rawSize[maxChunks], packedSize[maxChunks];
static int chunks;
static size_t totalRaw;

// One variant: zlib with a level, memLevel and strategy, or libdeflate at `level` when
// `libdeflateLevel` is set.
struct variant {
    const char *name;
    int level, memLevel, strategy, libdeflateLevel;
};

// Compresses every chunk with `v`; returns the best time and sets packed[].
static double compressAll(struct variant v, size_t *total) {
    double best = 1e9;
    z_stream stream = {0};
    struct libdeflate_compressor *compressor = NULL;
    if (v.libdeflateLevel) compressor = libdeflate_alloc_compressor(v.libdeflateLevel);
    else deflateInit2(&stream, v.level, Z_DEFLATED, MAX_WBITS, v.memLevel, v.strategy);
    for (int r = 0; r < repeats; r++) {
        *total = 0;
        double start = now();
        for (int i = 0; i < chunks; i++) {
            size_t room = compressBound(rawSize[i]) + 64;
            if (r == 0) packed[i] = realloc(packed[i], room);
            if (compressor) {
                packedSize[i] = libdeflate_zlib_compress(compressor, raw[i], rawSize[i], packed[i], room);
            } else {
                deflateReset(&stream);
                stream.next_in = raw[i];
                stream.avail_in = (uInt)rawSize[i];
                stream.next_out = packed[i];
                stream.avail_out = (uInt)room;
                deflate(&stream, Z_FINISH);
                packedSize[i] = stream.total_out;
            }
            *total += packedSize[i];
        }
        double elapsed = now() - start;
        if (elapsed < best) best = elapsed;
    }
    if (!compressor) deflateEnd(&stream);
    return best;
}

// Inflates every chunk with libdeflate (`useZlib` 0) or zlib; returns the best time.
static double inflateAll(int useZlib, uint8_t *out) {
    static struct libdeflate_decompressor *decompressor;
    if (!decompressor) decompressor = libdeflate_alloc_decompressor();
    double best = 1e9;
    for (int r = 0; r < repeats; r++) {
        double start = now();
        z_stream stream = {0};
        if (useZlib) inflateInit(&stream);
        for (int i = 0; i < chunks; i++) {
            if (useZlib) {
                inflateReset(&stream);
                stream.next_in = packed[i];
                stream.avail_in = (uInt)packedSize[i];
                stream.next_out = out;
                stream.avail_out = (uInt)rawSize[i];
                if (inflate(&stream, Z_FINISH) != Z_STREAM_END) { fprintf(stderr, "zlib: chunk %d\n", i); exit(1); }
            } else {
                size_t produced;
                if (libdeflate_zlib_decompress(decompressor, packed[i], packedSize[i], out, rawSize[i], &produced) != 0 ||
                    produced != rawSize[i]) { fprintf(stderr, "libdeflate: chunk %d\n", i); exit(1); }
            }
        }
        if (useZlib) inflateEnd(&stream);
        double elapsed = now() - start;
        if (elapsed < best) best = elapsed;
    }
    return best;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s TRACE\n", argv[0]); return 64; }
    FILE *file = fopen(argv[1], "rb");
    if (!file) { perror(argv[1]); return 66; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *trace = malloc(size);
    if (fread(trace, 1, size, file) != (size_t)size) { perror("read"); return 74; }
    fclose(file);

    // Chunks (docs/FORMAT.md §3): type at byte 4 (1 and 4 are events), encoding at 5
    // (1 zlib), stored length at 44, decoded length at 48.
    for (long offset = u32(trace + 12); offset + chunkHeader <= size && chunks < maxChunks;) {
        const uint8_t *header = trace + offset;
        uint32_t stored = u32(header + 44), decoded = u32(header + 48);
        if ((header[4] == 1 || header[4] == 4) && header[5] == 1) {
            uLongf length = decoded;
            raw[chunks] = malloc(decoded);
            if (uncompress(raw[chunks], &length, header + chunkHeader, stored) != Z_OK) { fprintf(stderr, "bad chunk\n"); return 65; }
            rawSize[chunks] = length;
            totalRaw += length;
            chunks++;
        }
        offset += chunkHeader + stored;
    }
    printf("%d events chunks, %.1f MB decoded\n", chunks, totalRaw / 1e6);

    struct variant variants[] = {
        {"zlib level 1", 1, 8, Z_DEFAULT_STRATEGY, 0},
        {"zlib level 1, Z_HUFFMAN_ONLY, memLevel 8", 1, 8, Z_HUFFMAN_ONLY, 0},
        {"zlib level 1, Z_HUFFMAN_ONLY, memLevel 9", 1, 9, Z_HUFFMAN_ONLY, 0},
        {"zlib level 1, Z_RLE, memLevel 9", 1, 9, Z_RLE, 0},
        {"libdeflate level 1", 0, 0, 0, 1},
    };
    uint8_t *out = malloc(8 << 20);
    size_t levelOne = 0;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        size_t total;
        double compress = compressAll(variants[v], &total);
        if (v == 0) levelOne = total;
        double libdeflate = inflateAll(0, out), zlib = inflateAll(1, out);
        printf("%-42s size %+6.2f %%  compress %4.0f MB/s  inflate: libdeflate %4.0f MB/s, zlib %4.0f MB/s\n",
               variants[v].name, 100.0 * ((double)total / levelOne - 1), totalRaw / compress / 1e6,
               totalRaw / libdeflate / 1e6, totalRaw / zlib / 1e6);
    }
    return 0;
}
