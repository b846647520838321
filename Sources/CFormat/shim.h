/* Number formatting for output tables (the numbers SevenDigits leaves to the C library, and the reference its tests
   compare with) with a fixed argument list: Swift reaches C's variadic snprintf only through a va_list built at run
   time (a dynamic cast per number), which costs more than the formatting. The C library only; nothing to link. */
#include <stdio.h>

/* Writes v as "%.7g" (C locale) into buffer (at least 32 bytes); returns the length. */
static inline int echoflow_format_g7(double v, char *buffer) {
    return snprintf(buffer, 32, "%.7g", v);
}
