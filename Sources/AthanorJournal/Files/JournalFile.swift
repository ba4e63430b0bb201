#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The names a journal goes by on disk, and opening whichever form exists.
///
/// A journal is written as `<name>.jsonl` and, once closed, lives on as `<name>.jsonl.zst`.
/// Either name refers to the same journal.
public struct JournalFile: Sendable, Hashable {
    /// `<name>.jsonl`: the live, plain form.
    public let plainPath: String

    /// Names the journal by either of its paths.
    public init(_ path: String) {
        plainPath = path.hasSuffix(Self.zstdSuffix) ? String(path.dropLast(Self.zstdSuffix.count)) : path
    }

    /// The journal's name without folder or suffix: its run's or instance's ID.
    public var id: String {
        let fileName = plainPath.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        return String(fileName.hasSuffix(Self.plainSuffix) ? fileName.dropLast(Self.plainSuffix.count) : fileName)
    }

    /// Whether `fileName` names a journal (either form).
    public static func isJournalName(_ fileName: String) -> Bool {
        fileName.hasSuffix(plainSuffix) || fileName.hasSuffix(compressedSuffix)
    }

    /// Whether `path` names a journal's compressed form.
    public static func isCompressedName(_ path: String) -> Bool { path.hasSuffix(compressedSuffix) }

    /// The path of the journal `id` in `directory`, in its plain form.
    public static func plainPath(in directory: String, id: String) -> String { directory + "/" + id + plainSuffix }

    /// Whether `fileName` names a journal's plain form.
    public static func isPlainName(_ fileName: String) -> Bool { fileName.hasSuffix(plainSuffix) }

    /// `<name>.<suffix>` beside the journal: a file about it (a run's `.stop` marker, say).
    public func companionPath(suffix: String) -> String {
        String(plainPath.dropLast(Self.plainSuffix.count)) + "." + suffix
    }

    static let plainSuffix = ".jsonl"
    static let zstdSuffix = ".zst"
    static let compressedSuffix = plainSuffix + zstdSuffix

    /// `<name>.jsonl.zst`: the closed, compressed form.
    public var compressedPath: String { plainPath + Self.zstdSuffix }

    /// The form to read now: the compressed one once it is in place (it is only ever renamed
    /// into place whole, so then it holds everything), else the plain one.
    public var currentPath: String { POSIX.exists(compressedPath) ? compressedPath : plainPath }

    /// Where the compressed form is written before its atomic rename.
    var temporaryCompressedPath: String { compressedPath + ".tmp" }

    /// An open journal file for reading.
    struct Opened {
        let fd: Int32
        let path: String
        let isCompressed: Bool
    }

    /// Opens the plain form if it exists, else the compressed one. The order makes closing
    /// race-free: the compressed file is in place before the plain one is removed.
    func openForReading() throws(JournalError) -> Opened {
        for path in [plainPath, compressedPath] {
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { return Opened(fd: fd, path: path, isCompressed: Self.startsWithZstdMagic(fd)) }
            guard errno == ENOENT else { throw .fromErrno("open", path) }
        }
        throw .notFound(path: plainPath)
    }

    /// Opens the compressed form only; nil when there is none.
    func openCompressedForReading() throws(JournalError) -> Opened? {
        let fd = Glibc.open(compressedPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            guard errno == ENOENT else { throw .fromErrno("open", compressedPath) }
            return nil
        }
        return Opened(fd: fd, path: compressedPath, isCompressed: Self.startsWithZstdMagic(fd))
    }

    /// Whether the file starts with a zstd frame (checked by content, not by name); leaves
    /// the offset at 0.
    private static func startsWithZstdMagic(_ fd: Int32) -> Bool {
        var magic: UInt32 = 0
        let count = pread(fd, &magic, 4, 0)
        return count == 4 && UInt32(littleEndian: magic) == 0xFD2F_B528
    }
}
