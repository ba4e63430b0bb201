#ifndef ATHANOR_CLINUX_SHIM_H
#define ATHANOR_CLINUX_SHIM_H
// Linux calls that Swift's Glibc module leaves out (they need _GNU_SOURCE).
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sys/vfs.h>
#include <unistd.h>

/// Allocates `length` bytes from `offset` without changing the file's size (space reserved
/// beyond the end). Returns 0, or -1 with errno set.
static inline int athanor_reserve_space(int fd, off_t offset, off_t length) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length);
}
/// Initializes `mutex` as glibc's adaptive mutex, which spins briefly before sleeping in the
/// kernel: for locks held a few dozen nanoseconds by threads on different cores.
static inline int athanor_init_adaptive_mutex(pthread_mutex_t *mutex) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ADAPTIVE_NP);
    int result = pthread_mutex_init(mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    return result;
}
/// A pipe whose two ends are close-on-exec from the start, so that no process spawned by
/// another thread meanwhile inherits them. Returns 0, or -1 with errno set.
static inline int athanor_cloexec_pipe(int ends[2]) {
    return pipe2(ends, O_CLOEXEC);
}
/// The file system type (statfs's magic number) of `path` into `type`. Returns 0, or -1 with
/// errno set.
static inline int athanor_file_system_type(const char *path, long long *type) {
    struct statfs info;
    int result = statfs(path, &info);
    if (result == 0) *type = (long long)info.f_type;
    return result;
}
#endif
