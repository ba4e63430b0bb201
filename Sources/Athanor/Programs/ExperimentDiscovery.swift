import AthanorJournal
import Foundation
import Synchronization

/// Finds program experiments in folders at runtime: every `*.py` file (through the Python SDK)
/// and every other executable file, each asked what it declares (`describe`). Files whose name
/// starts with `.` or `_` are left alone.
///
/// Each look scans the folders again (a `stat` per file) and asks only the files that are new
/// or changed since the last look, so a file added or edited while a server runs appears at
/// the next look, and a file removed disappears. A file that could not be described is asked
/// again at a look ``retryAfter`` later (its imports may have been fixed meanwhile). With a
/// cache file, what files declared is kept across processes (each command of the CLI would
/// otherwise start Python once per file): it is derived, and safe to delete.
public final class ExperimentDiscovery: Sendable {
    /// The folders searched, in order.
    public let folders: [String]
    /// The Python interpreter that describes and runs Python files.
    public let python: String
    /// How long a file may take to say what it declares (heavy imports take seconds).
    let describeTimeout: Duration
    /// How long a file that could not be described waits before it is asked again.
    let retryAfter: Duration = .seconds(5)
    private let cache: DescriptionCache?
    private let described = Mutex<[String: Described]>([:])

    /// Discovery in `folders` (made absolute), running Python files with `python` (a name on
    /// `PATH` or a path: a virtual environment's interpreter, so the experiments' own packages
    /// import), keeping what files declared in `cacheFile` when given.
    public init(
        folders: [String], python: String = "python3", cacheFile: String? = nil, describeTimeout: Duration = .seconds(30)
    ) {
        let base = FileManager.default.currentDirectoryPath
        self.folders = folders.map { $0.hasPrefix("/") ? $0 : "\(base)/\($0)" }
        self.python = python
        self.describeTimeout = describeTimeout
        cache = cacheFile.map { DescriptionCache(path: $0, python: python) }
    }

    /// What the folders declare now: the experiments (sorted by name) and the problems, with no
    /// experiment named as one of `reserved` (the Swift experiments' names).
    public func look(besides reserved: [String]) -> Discovered {
        let files = scan()
        let now = ContinuousClock.now
        let stale = described.withLock { known in
            files.filter { file in
                guard let entry = known[file.path], entry.identity == file.identity else { return true }
                // A failure may be fixed elsewhere (a package installed): asked again after a
                // while; a file that hangs is not, lest every look wait for it.
                guard case .failure(let error) = entry.outcome else { return false }
                if case .describeTimedOut = error { return false }
                return now - entry.askedAt >= retryAfter
            }
        }
        let remembered = cache?.answers(for: stale.map { ($0.path, $0.identity) }) ?? [:]
        let fresh = describeAll(stale.filter { remembered[$0.path] == nil })
        let reread = stale.compactMap { file in
            remembered[file.path].map {
                Described(
                    file: file.path, identity: file.identity, answer: $0, askedAt: now,
                    outcome: ProgramDescription.declarations($0, file: file.path, python: python))
            }
        }
        let current = described.withLock { known in
            known = known.filter { entry in files.contains { $0.path == entry.key } }
            for entry in fresh + reread { known[entry.file] = entry }
            return files.compactMap { known[$0.path] }
        }
        if !fresh.isEmpty { cache?.store(current) }
        return Discovered(current, reserved: Set(reserved))
    }

    /// A file found, and what identifies its contents.
    private struct FoundFile: Sendable {
        let path: String
        let identity: FileIdentity
    }

    private func scan() -> [FoundFile] {
        var found: [FoundFile] = []
        var seen: Set<String> = []
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") && !name.hasPrefix("_") {
                let path = "\(folder)/\(name)"
                guard Self.isRegularFile(path), name.hasSuffix(".py") || access(path, X_OK) == 0,
                    let identity = FileIdentity(path: path), seen.insert(path).inserted
                else { continue }
                found.append(FoundFile(path: path, identity: identity))
            }
        }
        return found
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    private func describeAll(_ files: [FoundFile]) -> [Described] {
        guard !files.isEmpty else { return [] }
        let results = Mutex<[Described?]>(Array(repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let file = files[index]
            let asked = ContinuousClock.now
            let answer = ProgramDescription.ask(file: file.path, python: python, timeout: describeTimeout)
            let described = Described(
                file: file.path, identity: file.identity, answer: try? answer.get(), askedAt: asked,
                outcome: answer.flatMap { ProgramDescription.declarations($0, file: file.path, python: python) })
            results.withLock { $0[index] = described }
        }
        return results.withLock { $0.compactMap { $0 } }
    }
}

/// What one file declared when it was last asked.
struct Described: Sendable {
    let file: String
    let identity: FileIdentity
    /// What it answered, when it answered (kept in the cache file).
    let answer: [JSONValue]?
    let askedAt: ContinuousClock.Instant
    let outcome: Result<[ProgramDescription.Declaration], ProgramError>
}

/// The experiments and problems of one look at the folders.
public struct Discovered: Sendable {
    /// The experiments that can run, sorted by name.
    public let experiments: [ExperimentDefinition]
    /// Files that declare nothing runnable, each with why.
    public let problems: [ExperimentProblem]

    init(_ files: [Described], reserved: Set<String>) {
        var problems: [ExperimentProblem] = []
        var byName: [String: [(file: String, declaration: ProgramDescription.Declaration)]] = [:]
        for file in files {
            switch file.outcome {
            case .failure(let error):
                problems.append(ExperimentProblem(file: file.file, experiment: nil, message: error.description))
            case .success(let declarations):
                for declaration in declarations { byName[declaration.program.name, default: []].append((file.file, declaration)) }
            }
        }
        var experiments: [ExperimentDefinition] = []
        for (name, declared) in byName.sorted(by: { $0.key < $1.key }) {
            if reserved.contains(name) {
                for entry in declared {
                    problems.append(
                        ExperimentProblem(
                            file: entry.file, experiment: name,
                            message: "the name \"\(name)\" is already taken by a Swift experiment"))
                }
            } else if declared.count > 1 {
                let files = declared.map(\.file).joined(separator: " and ")
                for entry in declared {
                    problems.append(
                        ExperimentProblem(
                            file: entry.file, experiment: name, message: "the name \"\(name)\" is declared by both \(files)"))
                }
            } else if let only = declared.first {
                experiments.append(only.declaration.definition)
            }
        }
        self.experiments = experiments
        self.problems = problems
    }
}

/// A program file that declares no runnable experiment, and why.
public struct ExperimentProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public let file: String
    /// The experiment's name, when the problem is one name's (declared twice, say).
    public let experiment: String?
    /// What is wrong (an import error with its traceback, say).
    public let message: String

    public var description: String { "\(file): \(message)" }

    /// `{file, experiment, error}`.
    public var json: JSONValue {
        ["file": .string(file), "experiment": experiment.map(JSONValue.string) ?? .null, "error": .string(message)]
    }
}
