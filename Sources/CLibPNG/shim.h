#ifndef ECHOFLOW_CLIBPNG_SHIM_H
#define ECHOFLOW_CLIBPNG_SHIM_H
#include <png.h>
#include <string.h>

/* Function-like macros of the simplified API that Swift cannot import. */
static inline size_t echoflow_png_image_size(png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}
static inline int echoflow_png_image_row_stride(png_image *image) {
    return (int)PNG_IMAGE_ROW_STRIDE(*image);
}
static inline int echoflow_png_image_failed(png_image *image) {
    return PNG_IMAGE_FAILED(*image);
}
static inline void echoflow_png_image_init(png_image *image) {
    memset(image, 0, sizeof(*image));
    image->version = PNG_IMAGE_VERSION;
}
#endif
