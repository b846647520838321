/* Subnormal numbers flushed to zero for the duration of a single-precision fit. A fit that wanders far from its
   curve (an amplitude collapsing to zero, a lognormal tail thousands of widths away) produces Float products below
   1.2e-38; on x86 each such operation takes a microcode assist of about a hundred cycles, which made those fits
   ten times slower per iteration than the others. Values that small are zero at the precision of the pass. The
   mode is saved and restored around each fit, so nothing outside it sees the change. */
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/* Sets FTZ (bit 15) and DAZ (bit 6) of MXCSR; returns the previous MXCSR. */
static inline uint32_t echoflow_flush_subnormals(void) {
    uint32_t previous = _mm_getcsr();
    _mm_setcsr(previous | 0x8040u);
    return previous;
}
static inline void echoflow_restore_float_mode(uint32_t previous) { _mm_setcsr(previous); }
#elif defined(__aarch64__)
/* Sets FZ (bit 24) of FPCR; returns the previous FPCR. */
static inline uint32_t echoflow_flush_subnormals(void) {
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | (1ull << 24)));
    return (uint32_t)fpcr;
}
static inline void echoflow_restore_float_mode(uint32_t previous) {
    uint64_t fpcr = previous;
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
#else
static inline uint32_t echoflow_flush_subnormals(void) { return 0; }
static inline void echoflow_restore_float_mode(uint32_t previous) { (void)previous; }
#endif
