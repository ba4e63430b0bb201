#ifndef ATHANOR_CLINUX_SHIM_H
#define ATHANOR_CLINUX_SHIM_H
// Linux calls that Swift's Glibc module leaves out (they need _GNU_SOURCE).
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/falloc.h>

/// Allocates `length` bytes from `offset` without changing the file's size (space reserved
/// beyond the end). Returns 0, or -1 with errno set.
static inline int athanor_reserve_space(int fd, off_t offset, off_t length) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length);
}
#endif
