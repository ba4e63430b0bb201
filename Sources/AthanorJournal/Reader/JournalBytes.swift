#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The raw bytes of a journal, decompressed when it is closed.
public enum JournalBytes {
    /// Streams every byte of the journal at `path` (either name) to `body`, in chunks.
    public static func copy(from path: String, to body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let opened = try JournalFile(path).openForReading()
        defer { close(opened.fd) }
        var source = try JournalByteSource(opened)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try source.read(into: chunk)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
    }
}
