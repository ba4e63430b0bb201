#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension JournalFile {
    /// Replaces the plain journal by its compressed form, compressing it whole now.
    func compressPlainForm(level: Int32) throws(JournalError) {
        try installCompressedForm(try startCompressedForm(level: level))
    }

    /// A compressed form (in the temporary file) holding everything the plain journal holds
    /// now; a writer goes on feeding it what it writes.
    func startCompressedForm(level: Int32) throws(JournalError) -> ZstdFileStream {
        let stream = try ZstdFileStream(creating: temporaryCompressedPath, level: level)
        do throws(JournalError) {
            let source = try POSIX.open(plainPath, O_RDONLY | O_CLOEXEC)
            defer { close(source) }
            try stream.write(contentsOf: source, path: plainPath)
            return stream
        } catch {
            stream.abandon()
            throw error
        }
    }

    /// Replaces the plain journal by the compressed form `stream` holds (every byte of the
    /// plain journal must have gone into it): see ``publishCompressedForm(_:)``, then the plain
    /// file is removed. Readers that open the journal at any moment find one complete form or
    /// the other.
    func installCompressedForm(_ stream: ZstdFileStream) throws(JournalError) {
        try publishCompressedForm(stream)
        try removePlainForm()
    }

    /// Ends the frame `stream` holds and fsyncs it, renames it into place atomically and
    /// fsyncs the directory: from then on the compressed form is a complete, durable journal,
    /// and the plain one (identical, and preferred by readers while it exists) is redundant.
    func publishCompressedForm(_ stream: ZstdFileStream) throws(JournalError) {
        do throws(JournalError) {
            try stream.finish()
            try POSIX.rename(stream.path, to: compressedPath)
            try POSIX.fsyncDirectory(containing: compressedPath)
        } catch {
            stream.abandon()
            throw error
        }
    }

    /// Removes the plain form once the compressed one is in place.
    func removePlainForm() throws(JournalError) {
        try POSIX.unlink(plainPath)
        try POSIX.fsyncDirectory(containing: plainPath)
    }
}
