#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exclusive `flock` a writer holds on a plain journal while it writes it.
///
/// Taking it is race-free against a writer that closes the journal at the same moment: after
/// locking, the descriptor must still be the file at `path` (a closed journal is unlinked
/// before its lock is released).
public enum JournalLock {
    /// Opens `path` for appending and locks it without waiting.
    /// - Throws: ``JournalError/locked(path:)`` when a live writer holds it,
    ///   ``JournalError/notFound(path:)`` when there is no plain journal (any more).
    static func acquire(_ path: String) throws(JournalError) -> Int32 {
        let fd = try POSIX.open(path, O_WRONLY | O_APPEND)
        do throws(JournalError) {
            try lock(fd, path: path)
            var opened = stat()
            var current = stat()
            guard fstat(fd, &opened) == 0 else { throw JournalError.fromErrno("stat", path) }
            guard stat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev else {
                throw JournalError.notFound(path: path)
            }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Locks an open descriptor without waiting.
    static func lock(_ fd: Int32, path: String) throws(JournalError) {
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { throw .locked(path: path) }
            throw .fromErrno("lock", path)
        }
    }

    /// Whether some process holds the writer lock of the plain journal at `path`
    /// (`false` when there is no plain journal).
    public static func isHeld(_ path: String) -> Bool {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
