#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension JournalFile {
    /// Replaces the plain journal by its compressed form: compress to a temporary file, fsync it,
    /// rename it into place atomically, then remove the plain file. Readers that open the
    /// journal at any moment find one complete form or the other.
    func compressPlainForm(level: Int32) throws(JournalError) {
        let source = try POSIX.open(plainPath, O_RDONLY)
        defer { close(source) }
        let temporary = temporaryCompressedPath
        let destination = try POSIX.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        var destinationOpen = true
        defer { if destinationOpen { close(destination) } }
        do throws(JournalError) {
            try ZstdCompressor.compress(
                from: source, sourcePath: plainPath, to: destination, destinationPath: temporary, level: level)
            try POSIX.fsync(destination, path: temporary)
            close(destination)
            destinationOpen = false
            try POSIX.rename(temporary, to: compressedPath)
            try POSIX.fsyncDirectory(containing: compressedPath)
        } catch {
            try? POSIX.unlink(temporary)
            throw error
        }
        try POSIX.unlink(plainPath)
        try POSIX.fsyncDirectory(containing: plainPath)
    }
}
