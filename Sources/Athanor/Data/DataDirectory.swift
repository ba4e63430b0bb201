import AthanorJournal
import Foundation

/// The layout of a data directory (DESIGN.md section 2): where each journal lives.
public struct DataDirectory: Sendable, Hashable {
    /// The directory's path.
    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// `instances/`
    public var instancesPath: String { path + "/instances" }
    /// `runs/`
    public var runsPath: String { path + "/runs" }

    /// `sweeps/`
    public var sweepsPath: String { path + "/sweeps" }

    /// `sweeps/<sweep>.jsonl`
    public func sweepJournal(_ sweep: String) -> String { JournalFile.plainPath(in: sweepsPath, id: sweep) }

    /// `instances/<instance>.jsonl`
    public func instanceJournal(_ instance: String) -> String { JournalFile.plainPath(in: instancesPath, id: instance) }

    /// `runs/<instance>/` (created on demand).
    public func runsDirectory(of instance: String) -> String { runsPath + "/\(instance)" }

    /// `runs/<instance>/<run>.jsonl`: the live name; the closed journal adds `.zst`.
    public func runJournal(instance: String, run: String) -> String {
        JournalFile.plainPath(in: runsDirectory(of: instance), id: run)
    }

    /// Creates `instances/` and `runs/` when missing.
    public func prepare() throws {
        for directory in [instancesPath, runsPath] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }
}
