import CZstd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a journal's bytes come from: a plain file or a zstd-compressed one, read in chunks.
protocol ByteSource {
    /// Reads up to `buffer.count` bytes; 0 means no more for now (end of file, or of the frame).
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(JournalError) -> Int
}

/// The bytes of a plain file, read through a descriptor this source does not own.
struct FileByteSource: ByteSource {
    let fd: Int32
    let path: String

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(JournalError) -> Int {
        try POSIX.read(fd, into: buffer, path: path)
    }
}

/// The decompressed bytes of a zstd file, streamed in bounded memory. A frame that ends early
/// or fails its content checksum is an error, never silently short data.
final class ZstdByteSource: ByteSource {
    private let fd: Int32
    private let path: String
    private let context: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private var inBuffer: ZSTD_inBuffer
    /// Whether the last frame zstd finished was complete (and its checksum matched).
    private var frameComplete = false
    private var inputEnded = false

    init(fd: Int32, path: String) throws(JournalError) {
        guard let context = ZSTD_createDCtx() else { throw .zstd(path: path, reason: "out of memory") }
        self.fd = fd
        self.path = path
        self.context = context
        input = .allocate(byteCount: ZSTD_DStreamInSize(), alignment: 16)
        inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: 0, pos: 0)
    }

    deinit {
        ZSTD_freeDCtx(context)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(JournalError) -> Int {
        while true {
            if inBuffer.pos == inBuffer.size && !inputEnded {
                let count = try POSIX.read(fd, into: input, path: path)
                inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: count, pos: 0)
                if count == 0 { inputEnded = true }
            }
            var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let inputBefore = inBuffer.pos
            let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
            if ZSTD_isError(result) != 0 {
                throw .zstd(path: path, reason: String(cString: ZSTD_getErrorName(result)))
            }
            // Only a call that made progress says whether the frame is done: 0 means the frame
            // ended and its checksum matched.
            if outBuffer.pos > 0 || inBuffer.pos > inputBefore { frameComplete = result == 0 }
            if outBuffer.pos > 0 { return outBuffer.pos }
            if inputEnded && inBuffer.pos == inBuffer.size {
                guard frameComplete else { throw .truncatedCompressedJournal(path: path) }
                return 0
            }
        }
    }
}

/// A journal's bytes, plain or compressed.
enum JournalByteSource: ByteSource {
    case plain(FileByteSource)
    case compressed(ZstdByteSource)

    init(_ opened: JournalFile.Opened) throws(JournalError) {
        if opened.isCompressed {
            self = .compressed(try ZstdByteSource(fd: opened.fd, path: opened.path))
        } else {
            self = .plain(FileByteSource(fd: opened.fd, path: opened.path))
        }
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(JournalError) -> Int {
        switch self {
        case .plain(var source):
            let count = try source.read(into: buffer)
            self = .plain(source)
            return count
        case .compressed(let source):
            return try source.read(into: buffer)
        }
    }
}
