#if canImport(Glibc)
    import Glibc
#endif

/// Unbuffered writes to standard output that stop quietly when the reader goes away
/// (`athanor cat … | head`).
struct StandardOutput {
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                exit(errno == EPIPE ? 0 : 1)
            }
            offset += written
        }
    }
}
