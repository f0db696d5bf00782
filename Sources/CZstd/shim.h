#ifndef SNAP_CZSTD_SHIM_H
#define SNAP_CZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>
#endif
