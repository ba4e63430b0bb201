import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// Disk space allocated beyond a journal's end (`fallocate` with `FALLOC_FL_KEEP_SIZE`), so
/// that when the disk fills up the writer finds out while there is still room for the run's
/// terminal event. Renewed about once per `chunk` bytes written; file systems without
/// `fallocate` simply go without.
struct SpaceReserve {
    /// Bytes kept allocated beyond everything written.
    static let chunk = 64 << 10
    private var reservedThrough: Int
    private var supported = true

    init(fileSize: Int) {
        reservedThrough = fileSize
    }

    /// Makes sure `toWrite` more bytes fit with a whole chunk to spare; returns why not when
    /// the disk (or a quota, or the file size limit) has no room left.
    mutating func extend(fd: Int32, fileSize: Int, toWrite: Int) -> String? {
        let needed = fileSize + toWrite + Self.chunk
        guard supported, needed > reservedThrough else { return nil }
        for target in [needed + Self.chunk, needed] {
            if athanor_reserve_space(fd, off_t(fileSize), off_t(target - fileSize)) == 0 {
                reservedThrough = target
                return nil
            }
            guard errno == ENOSPC || errno == EDQUOT || errno == EFBIG else {
                supported = false
                return nil
            }
        }
        return "the device is full: \(String(cString: strerror(errno)))"
    }

    /// Gives back what is reserved beyond `fileSize` (for a journal left uncompressed).
    func release(fd: Int32, fileSize: Int) {
        if supported && reservedThrough > fileSize { _ = ftruncate(fd, off_t(fileSize)) }
    }
}
