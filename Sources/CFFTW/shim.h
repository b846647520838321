#ifndef ECHOFLOW_CFFTW_SHIM_H
#define ECHOFLOW_CFFTW_SHIM_H
#include <fftw3.h>

/* FFTW_ESTIMATE and friends are unsigned macros; expose them as functions. */
static inline unsigned echoflow_fftw_estimate(void) { return FFTW_ESTIMATE; }
static inline int echoflow_fftw_forward(void) { return FFTW_FORWARD; }
static inline int echoflow_fftw_backward(void) { return FFTW_BACKWARD; }
#endif
