import CLinux
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Whether files are followed by polling rather than inotify: inotify sees only the writes made
/// on this host, so journals on a network file system (NFS, Lustre, GPFS…), written by workers
/// on compute nodes, are polled. `--poll` (or `ATHANOR_POLL=1`) forces polling everywhere.
public enum FilePolling {
    /// How often a followed file is looked at when it is polled.
    public static let followInterval: Duration = .milliseconds(50)
    /// How often a catalog is refreshed when its data directory is polled.
    public static let catalogInterval: Duration = .milliseconds(500)

    private static let forced = Atomic<Bool>(false)

    /// Polls every file from now on, whatever its file system.
    public static func force() {
        forced.store(true, ordering: .relaxed)
    }

    /// Whether polling is forced (`--poll`).
    public static var isForced: Bool { forced.load(ordering: .relaxed) }

    /// Whether `path` (a file or directory, or the nearest existing folder above it) is polled:
    /// forced, or on a network file system.
    public static func applies(to path: String) -> Bool {
        isForced || networkFileSystem(at: path) != nil
    }

    /// The name of the network file system `path` is on, or `nil` for a local one (or one
    /// that cannot be told). The nearest existing folder above a missing path is asked.
    public static func networkFileSystem(at path: String) -> String? {
        var candidate = path
        var type: Int64 = 0
        while athanor_file_system_type(candidate, &type) != 0 {
            guard errno == ENOENT, candidate != "/", candidate != "." else { return nil }
            if let slash = candidate.lastIndex(of: "/") {
                candidate = slash == candidate.startIndex ? "/" : String(candidate[..<slash])
            } else {
                candidate = "."
            }
        }
        return networkMagics[UInt64(truncatingIfNeeded: type)]
    }

    /// `statfs` magic numbers of file systems whose files other hosts write (linux/magic.h and
    /// the vendors' headers).
    private static let networkMagics: [UInt64: String] = [
        0x6969: "nfs", 0x517B: "smb", 0xFF53_4D42: "cifs", 0xFE53_4D42: "smb2", 0x0BD0_0BD0: "lustre",
        0x4750_4653: "gpfs", 0x00C3_6400: "ceph", 0x5346_414F: "afs", 0x0102_1997: "9p", 0x6573_5546: "fuse",
        0x1983_0326: "beegfs", 0xAAD7_AAEA: "panfs", 0x0116_1970: "gfs2", 0x7461_636F: "ocfs2", 0x564C: "ncp",
        0x7375_7245: "coda",
    ]
}
