#ifndef SNAP_CARCHIVE_SHIM_H
#define SNAP_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
