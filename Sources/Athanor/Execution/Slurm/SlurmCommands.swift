import AthanorJournal
import Foundation

/// Slurm's client commands (`sbatch`, `squeue`, `scancel`, `scontrol`, `sacct`), found on
/// `PATH` and configured by the environment (`SLURM_CONF`, …), as this process has them.
enum SlurmCommands {
    /// How long a scheduler command may take before it counts as failed.
    static let timeout: Duration = .seconds(30)

    /// What went wrong asking Slurm.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `command` with `arguments`; its standard output.
    @discardableResult
    static func run(_ command: String, _ arguments: [String]) throws(Failure) -> String {
        guard let executable = ExecutableLookup.find(command) else {
            throw Failure(description: "\(command) not found on PATH (is Slurm's client installed here?)")
        }
        let output: CapturedRun
        do {
            output = try CapturedRun.run(executable: executable, arguments: arguments, timeout: timeout)
        } catch {
            throw Failure(description: "\(command): \(error)")
        }
        guard output.termination == .exited(0) else {
            let said = output.errorTail.isEmpty ? String(decoding: output.standardOutput, as: UTF8.self) : output.errorTail
            throw Failure(description: "\(command) \(arguments.joined(separator: " ")): \(output.ending): \(said)")
        }
        return String(decoding: output.standardOutput, as: UTF8.self)
    }

    /// Submits the batch script at `path`; the job's ID.
    static func submit(_ path: String) throws(Failure) -> String {
        // --parsable prints "ID" or "ID;cluster".
        let answer = try run("sbatch", ["--parsable", path]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = answer.split(separator: ";").first.map(String.init), !id.isEmpty, id.allSatisfy(\.isNumber)
        else { throw Failure(description: "sbatch answered \"\(answer)\", not a job ID") }
        return id
    }

    /// Seconds before the job's time limit (`squeue -o %L`), or `nil` when unknown or unlimited.
    static func secondsLeft(ofJob id: String) -> Int? {
        guard let text = try? run("squeue", ["-h", "-j", id, "-o", "%L"]) else { return nil }
        return durationSeconds(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Seconds of a Slurm duration: `[days-][hours:]minutes:seconds`, or `nil`.
    static func durationSeconds(_ text: String) -> Int? {
        var days = 0
        var clock = Substring(text)
        if let dash = text.firstIndex(of: "-") {
            guard let parsed = Int(text[..<dash]) else { return nil }
            days = parsed
            clock = text[text.index(after: dash)...]
        }
        let parts = clock.split(separator: ":").map { Int($0) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil }) else { return nil }
        return days * 86_400 + parts.reduce(0) { $0 * 60 + ($1 ?? 0) } * (parts.count == 1 ? 60 : 1)
    }
}
