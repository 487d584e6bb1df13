#ifndef SCHEDSCOPE_CZLIB_SHIM_H
#define SCHEDSCOPE_CZLIB_SHIM_H
#include <zlib.h>

// zlib's init entry points are macros, which Swift does not import.
static inline int schedscope_deflateInit(z_streamp stream, int level) {
    return deflateInit(stream, level);
}
static inline int schedscope_deflateInit2(z_streamp stream, int level, int memLevel, int strategy) {
    return deflateInit2(stream, level, Z_DEFLATED, MAX_WBITS, memLevel, strategy);
}
static inline int schedscope_inflateInit(z_streamp stream) {
    return inflateInit(stream);
}
#endif
