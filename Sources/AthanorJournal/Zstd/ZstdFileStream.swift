import CZstd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One zstd frame written to a new file as data arrives, with the frame's content checksum
/// on (so a compressed journal detects its own corruption). A writer feeds it while it
/// writes, so that closing a journal only has to end the frame.
final class ZstdFileStream {
    /// The file being written.
    let path: String
    private var fd: Int32
    private let context: OpaquePointer
    private let output: UnsafeMutableRawBufferPointer

    /// Creates (or truncates) `path` and starts a frame at `level`.
    init(creating path: String, level: Int32) throws(JournalError) {
        guard let context = ZSTD_createCCtx() else { throw .zstd(path: path, reason: "out of memory") }
        do throws(JournalError) {
            try Self.check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), path)
            try Self.check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), path)
            fd = try POSIX.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        } catch {
            ZSTD_freeCCtx(context)
            throw error
        }
        self.path = path
        self.context = context
        output = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
    }

    deinit {
        if fd >= 0 { close(fd) }
        ZSTD_freeCCtx(context)
        output.deallocate()
    }

    /// Compresses `bytes` into the frame.
    func write(_ bytes: UnsafeRawBufferPointer) throws(JournalError) {
        try compress(bytes, mode: ZSTD_e_continue)
    }

    /// Compresses everything readable from `source` (from its current offset).
    func write(contentsOf source: Int32, path sourcePath: String) throws(JournalError) {
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
        defer { input.deallocate() }
        while true {
            let count = try POSIX.read(source, into: input, path: sourcePath)
            if count == 0 { return }
            try write(UnsafeRawBufferPointer(rebasing: input[0..<count]))
        }
    }

    /// Ends the frame, fsyncs and closes the file.
    func finish() throws(JournalError) {
        try compress(UnsafeRawBufferPointer(start: nil, count: 0), mode: ZSTD_e_end)
        try POSIX.fsync(fd, path: path)
        close(fd)
        fd = -1
    }

    /// Gives up: closes and removes the file.
    func abandon() {
        if fd >= 0 { close(fd) }
        fd = -1
        try? POSIX.unlink(path)
    }

    private func compress(_ bytes: UnsafeRawBufferPointer, mode: ZSTD_EndDirective) throws(JournalError) {
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while true {
            var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &outBuffer, &input, mode)
            try Self.check(remaining, path)
            if outBuffer.pos > 0 {
                try POSIX.writeAll(fd, UnsafeRawBufferPointer(rebasing: output[0..<outBuffer.pos]), path: path)
            }
            let done = mode == ZSTD_e_end ? remaining == 0 : input.pos == input.size
            if done { return }
        }
    }

    private static func check(_ code: Int, _ path: String) throws(JournalError) {
        if ZSTD_isError(code) != 0 {
            throw .zstd(path: path, reason: String(cString: ZSTD_getErrorName(code)))
        }
    }
}
