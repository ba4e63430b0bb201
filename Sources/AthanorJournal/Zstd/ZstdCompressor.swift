import CZstd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streaming zstd compression of a whole file, with the frame's content checksum on, so a
/// compressed journal detects its own corruption.
enum ZstdCompressor {
    /// Compresses everything readable from `source` (from its current offset) into `destination`.
    static func compress(
        from source: Int32, sourcePath: String, to destination: Int32, destinationPath: String,
        level: Int32
    ) throws(JournalError) {
        guard let context = ZSTD_createCCtx() else { throw .zstd(path: destinationPath, reason: "out of memory") }
        defer { ZSTD_freeCCtx(context) }
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), destinationPath)
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), destinationPath)

        let inputCapacity = max(ZSTD_CStreamInSize(), 1 << 17)
        let outputCapacity = ZSTD_CStreamOutSize()
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputCapacity, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: outputCapacity, alignment: 16)
        defer {
            input.deallocate()
            output.deallocate()
        }
        while true {
            let count = try POSIX.read(source, into: input, path: sourcePath)
            let mode = count == 0 ? ZSTD_e_end : ZSTD_e_continue
            var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: count, pos: 0)
            while true {
                var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: outputCapacity, pos: 0)
                let remaining = ZSTD_compressStream2(context, &outBuffer, &inBuffer, mode)
                try check(remaining, destinationPath)
                try POSIX.writeAll(
                    destination, UnsafeRawBufferPointer(rebasing: output[0..<outBuffer.pos]), path: destinationPath)
                let done = mode == ZSTD_e_end ? remaining == 0 : inBuffer.pos == inBuffer.size
                if done { break }
            }
            if count == 0 { return }
        }
    }

    private static func check(_ code: Int, _ path: String) throws(JournalError) {
        if ZSTD_isError(code) != 0 {
            throw .zstd(path: path, reason: String(cString: ZSTD_getErrorName(code)))
        }
    }
}
