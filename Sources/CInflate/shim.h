#ifndef ECHOFLOW_CINFLATE_SHIM_H
#define ECHOFLOW_CINFLATE_SHIM_H
#include <zlib.h>
#include <string.h>

/* inflateInit2 is a macro; windowBits 15 + 16 makes zlib read the gzip header and check the trailer's CRC-32 and
   length itself. */
static inline int echoflow_inflate_init_gzip(z_stream *stream) {
    memset(stream, 0, sizeof(*stream));
    return inflateInit2(stream, 15 + 16);
}
#endif
