/* The one setting of the C library's allocator the command line makes before any work. glibc grows the heap of a
   worker thread's arena in steps as small as the allocation that needs them, one mprotect system call each; a top pad
   makes every step at least that large. Other C libraries: nothing. */
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

static inline void echoflow_pad_heap_growth(int bytes) {
#ifdef M_TOP_PAD
    mallopt(M_TOP_PAD, bytes);
#else
    (void)bytes;
#endif
}
