import Foundation
import Synchronization

/// What Slurm says of jobs, asked for all of them at once: at most one `squeue` per interval
/// however many runs wait, and `scontrol show job` (then `sacct`) only for a job `squeue` no
/// longer lists, to learn how it ended.
final class SlurmJobs: Sendable {
    /// A job as Slurm has it.
    enum State: Sendable, Equatable {
        /// Pending, running, completing, requeued…: its state.
        case active(String)
        /// Gone from the queue: its final state and Slurm's reason, as far as known.
        case gone(String)
        /// Slurm could not be asked.
        case unknown(String)
    }

    private struct Listing {
        var takenAt: ContinuousClock.Instant?
        var states: [String: String] = [:]
        var calls: [ContinuousClock.Instant] = []
    }

    /// How old a listing may be before `squeue` is asked again.
    let interval: Duration
    private let listing = Mutex(Listing())
    /// Held while `squeue` runs, so concurrent askers share one call.
    private let asking = Mutex(())

    init(interval: Duration = .seconds(1)) {
        self.interval = interval
    }

    /// The state of job `id`, from a listing at most ``interval`` old.
    func state(of id: String) -> State {
        let states: [String: String]
        do {
            states = try current()
        } catch {
            return .unknown(error.description)
        }
        if let state = states[id] { return .active(state) }
        // Not listed: submitted after the listing was taken, or left the queue. Slurm says which.
        let known = Self.lookUp(id)
        if let known, !Self.finalStates.contains(known.state) { return .active(known.description) }
        return .gone(known?.description ?? "no longer known to Slurm")
    }

    /// The job states in which a job is over. `PREEMPTED` is not one: Athanor's jobs ask for
    /// `--requeue`, so a preempted job comes back (counting it as done is the mistake submitit
    /// makes).
    static let finalStates: Set<String> = [
        "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY",
        "REVOKED", "SPECIAL_EXIT",
    ]

    /// Scheduler calls in the last minute (the load figures report it).
    var callsPerMinute: Int {
        let now = ContinuousClock.now
        return listing.withLock { $0.calls.count { now - $0 < .seconds(60) } }
    }

    private func current() throws(SlurmCommands.Failure) -> [String: String] {
        if let fresh = freshStates() { return fresh }
        return try asking.withLock { _ throws(SlurmCommands.Failure) -> [String: String] in
            if let fresh = freshStates() { return fresh }  // another asker just listed
            // --array: one line per task of an array, the pending ones too.
            let text = try SlurmCommands.run("squeue", ["-h", "--me", "--array", "-o", "%i|%T|%r"])
            var states: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false)
                guard fields.count >= 2 else { continue }
                // An array task reads "ID_TASK"; a requeued job keeps its ID.
                states[String(fields[0])] = fields.dropFirst().joined(separator: " ")
            }
            let now = ContinuousClock.now
            listing.withLock { listing in
                listing.takenAt = now
                listing.states = states
                listing.calls = listing.calls.filter { now - $0 < .seconds(60) } + [now]
            }
            return states
        }
    }

    private func freshStates() -> [String: String]? {
        listing.withLock { listing in
            guard let takenAt = listing.takenAt, ContinuousClock.now - takenAt < interval else { return nil }
            return listing.states
        }
    }

    /// A job's state and reason from `scontrol show job` while Slurm remembers it (MinJobAge),
    /// else `sacct` where accounting is on; `nil` when neither knows it.
    static func lookUp(_ id: String) -> (state: String, description: String)? {
        if let text = try? SlurmCommands.run("scontrol", ["-o", "show", "job", id]) {
            let fields = Dictionary(
                text.split(separator: " ").compactMap { pair -> (String, String)? in
                    guard let equals = pair.firstIndex(of: "=") else { return nil }
                    return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
                }, uniquingKeysWith: { first, _ in first })
            if let state = fields["JobState"] {
                let reason = fields["Reason"].flatMap { $0 == "None" ? nil : $0 }
                return (state, state + (reason.map { " (\($0))" } ?? ""))
            }
        }
        if let text = try? SlurmCommands.run("sacct", ["-n", "-P", "-X", "-j", id, "-o", "State,Reason"]),
            let line = text.split(separator: "\n").first
        {
            let parts = line.split(separator: "|").filter { !$0.isEmpty && $0 != "None" }.map(String.init)
            // sacct writes "CANCELLED by 0": the state is the first word.
            if let state = parts.first?.split(separator: " ").first { return (String(state), parts.joined(separator: " ")) }
        }
        return nil
    }
}
