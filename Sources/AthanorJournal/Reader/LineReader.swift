#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a byte stream into `\n`-terminated lines in bounded memory: the buffer grows only
/// when a single line is longer than it.
///
/// A line counts only once its newline has arrived. When no complete line is available,
/// ``nextLine()`` returns `nil` and keeps the partial bytes, so a caller following a growing
/// file can call it again after more bytes arrive.
final class LineReader<Source: ByteSource> {
    private(set) var source: Source
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var searched = 0

    /// Number of complete lines returned so far.
    private(set) var lineNumber = 0
    /// Byte offset, in the stream, just past the last complete line returned.
    private(set) var completeByteCount: Int64 = 0

    /// Bytes received after the last complete line (a line still being written, or torn).
    var pendingByteCount: Int { end - start }

    /// The buffer's current size in bytes.
    var capacity: Int { buffer.count }

    init(source: Source, initialCapacity: Int = 1 << 18, startingAt offset: Int64 = 0) {
        self.source = source
        buffer = .allocate(byteCount: initialCapacity, alignment: 16)
        completeByteCount = offset
    }

    deinit {
        buffer.deallocate()
    }

    /// The next complete line without its newline, valid until the next call; `nil` when the
    /// source has nothing more for now.
    func nextLine() throws(JournalError) -> UnsafeBufferPointer<UInt8>? {
        while true {
            let from = max(start, searched)
            if from < end, let found = memchr(buffer.baseAddress! + from, 0x0A, end - from) {
                let newline = found - buffer.baseAddress!
                let line = UnsafeBufferPointer(
                    start: (buffer.baseAddress! + start).assumingMemoryBound(to: UInt8.self), count: newline - start)
                completeByteCount += Int64(newline + 1 - start)
                lineNumber += 1
                start = newline + 1
                searched = start
                return line
            }
            searched = end
            if start > 0 {
                if end > start { memmove(buffer.baseAddress!, buffer.baseAddress! + start, end - start) }
                end -= start
                searched -= start
                start = 0
            }
            if end == buffer.count { grow() }
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if count == 0 { return nil }
            end += count
        }
    }

    private func grow() {
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
        larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
        buffer.deallocate()
        buffer = larger
    }
}
