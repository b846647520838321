#ifndef ECHOFLOW_CJPEG_SHIM_H
#define ECHOFLOW_CJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>
#endif
