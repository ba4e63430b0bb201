#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin, throwing wrappers over the POSIX calls journals need. Every descriptor is opened
/// close-on-exec so that worker processes never inherit a journal or its lock.
enum POSIX {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(JournalError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            if errno == EEXIST { throw .alreadyExists(path: path) }
            throw .fromErrno("open", path)
        }
    }

    /// Writes every byte, retrying short writes and interruptions.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(JournalError) {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .fromErrno("write", path)
            }
            offset += written
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at end of file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(JournalError) -> Int
    {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw .fromErrno("read", path)
        }
    }

    static func fsync(_ fd: Int32, path: String) throws(JournalError) {
        while Glibc.fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw .fromErrno("fsync", path)
        }
    }

    /// Makes a directory entry change (create, rename, unlink) durable.
    static func fsyncDirectory(containing path: String) throws(JournalError) {
        let directory = parentDirectory(of: path)
        let fd = try open(directory, O_RDONLY | O_DIRECTORY)
        defer { Glibc.close(fd) }
        try fsync(fd, path: directory)
    }

    static func rename(_ from: String, to: String) throws(JournalError) {
        guard Glibc.rename(from, to) == 0 else { throw .fromErrno("rename to \(to)", from) }
    }

    static func unlink(_ path: String) throws(JournalError) {
        guard Glibc.unlink(path) == 0 || errno == ENOENT else { throw .fromErrno("remove", path) }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
