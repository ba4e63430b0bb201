#ifndef ATHANOR_CLINUX_SHIM_H
#define ATHANOR_CLINUX_SHIM_H
// Linux calls that Swift's Glibc module leaves out (they need _GNU_SOURCE).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
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
/// A pair of connected Unix sockets that keep message boundaries (SOCK_SEQPACKET), both ends
/// close-on-exec. Returns 0, or -1 with errno set.
static inline int athanor_cloexec_socket_pair(int ends[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends);
}
/// Sends one message of `length` bytes with a copy of descriptor `fd` over the Unix socket
/// `socket` (SCM_RIGHTS). Returns the bytes sent, or -1 with errno set.
static inline ssize_t athanor_send_descriptor(int socket, const void *bytes, size_t length, int fd) {
    struct iovec data = {(void *)bytes, length};
    union { char buffer[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = {0};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof control.buffer;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    return sendmsg(socket, &message, MSG_NOSIGNAL);
}
/// Receives one message of at most `capacity` bytes over the Unix socket `socket`, and the
/// descriptor sent with it into `*fd` (close-on-exec; -1 when none came). Returns the bytes
/// received (0 when the other end is closed), or -1 with errno set.
static inline ssize_t athanor_receive_descriptor(int socket, void *bytes, size_t capacity, int *fd) {
    struct iovec data = {bytes, capacity};
    union { char buffer[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr message = {0};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof control.buffer;
    *fd = -1;
    ssize_t received;
    do {
        received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return -1;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (header && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS
        && header->cmsg_len == CMSG_LEN(sizeof(int))) {
        memcpy(fd, CMSG_DATA(header), sizeof(int));
    }
    return received;
}
#endif
