#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A journal's writer lock, held without writing.
///
/// A supervisor holds the lease of a run's journal from the moment it creates it until the run
/// has ended, and hands it to the worker process it starts as an inherited descriptor (the
/// worker's standard input). The lock lives on the open file description, so it is never free
/// between the supervisor and the worker, and recovery (which takes over journals whose lock is
/// free) can never mistake a run that is starting, or whose worker just exited, for an
/// abandoned one. Writers are made from a lease with ``JournalWriter/init(lease:options:)``.
public final class JournalLease: @unchecked Sendable {
    /// The journal's plain path.
    public let path: String
    /// The descriptor holding the lock (write-only, append).
    public let descriptor: Int32
    private let released = Monitor()
    private var isReleased = false

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if !isReleased { close(descriptor) }
    }

    /// Creates a new, empty journal at `path` and takes its lock.
    public static func create(_ path: String) throws(JournalError) -> JournalLease {
        let fd: Int32
        do {
            fd = try POSIX.open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND)
        } catch .notFound {
            throw .io(operation: "create the journal (its directory does not exist)", path: path, code: ENOENT)
        }
        do throws(JournalError) {
            try JournalLock.lock(fd, path: path)
            try POSIX.fsyncDirectory(containing: path)
        } catch {
            close(fd)
            try? POSIX.unlink(path)
            throw error
        }
        return JournalLease(path: path, descriptor: fd)
    }

    /// Takes the lock of an existing plain journal.
    /// - Throws: ``JournalError/locked(path:)`` while another process holds it.
    public static func acquire(_ path: String) throws(JournalError) -> JournalLease {
        let plain = JournalFile(path).plainPath
        return JournalLease(path: plain, descriptor: try JournalLock.acquire(plain))
    }

    /// The lease a parent process passed down as descriptor `fd`, if `fd` is the plain journal
    /// at `path` and holds its lock; `nil` otherwise (the descriptor is then left alone).
    public static func inherited(_ fd: Int32, path: String) -> JournalLease? {
        let plain = JournalFile(path).plainPath
        var inherited = stat()
        var current = stat()
        guard fstat(fd, &inherited) == 0, stat(plain, &current) == 0, inherited.st_ino == current.st_ino,
            inherited.st_dev == current.st_dev, fcntl(fd, F_GETFL) & O_ACCMODE != O_RDONLY,
            flock(fd, LOCK_EX | LOCK_NB) == 0
        else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return JournalLease(path: plain, descriptor: fd)
    }

    /// A new descriptor sharing the lease's lock, for a writer to own and close.
    func duplicate() throws(JournalError) -> Int32 {
        let fd = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else { throw .fromErrno("duplicate the lock of", path) }
        return fd
    }

    /// Gives the lock up (once every descriptor sharing it is closed, it is free).
    public func release() {
        released.lock()
        defer { released.unlock() }
        guard !isReleased else { return }
        isReleased = true
        close(descriptor)
    }
}
