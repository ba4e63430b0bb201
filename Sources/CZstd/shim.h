#ifndef ATHANOR_CZSTD_SHIM_H
#define ATHANOR_CZSTD_SHIM_H
#include <zstd.h>
#endif
