#ifndef ATHANOR_DESCRIPTOR_PASSING_H
#define ATHANOR_DESCRIPTOR_PASSING_H
// Passing a file descriptor to another process over a Unix socket (SCM_RIGHTS), whose control
// messages need the CMSG_* macros that Swift does not import.
#include <stddef.h>

/// A pair of connected Unix sockets that keep message boundaries (SOCK_SEQPACKET), both ends
/// close-on-exec. Returns 0, or -1 with errno set.
int athanor_socket_pair(int ends[2]);

/// Sends one message of `length` bytes with a copy of descriptor `fd` over the Unix socket
/// `socket`. Returns the bytes sent, or -1 with errno set.
long athanor_send_descriptor(int socket, const void *bytes, size_t length, int fd);

/// Receives one message of at most `capacity` bytes over the Unix socket `socket`, and the
/// descriptor sent with it into `*fd` (close-on-exec; -1 when none came). Returns the bytes
/// received (0 when the other end is closed), or -1 with errno set.
long athanor_receive_descriptor(int socket, void *bytes, size_t capacity, int *fd);

#endif
