import Foundation

/// The batch script of a Slurm job: it runs `athanor worker <journal> --scheduled` on whichever
/// node Slurm picks, with the paths the nodes see. The job runs one run (its script is
/// `<run>.sbatch`, beside the journal), or is a job array whose task `i` runs the `i`-th run
/// (`<first run>.array.sbatch`).
struct BatchScript {
    /// A run of the job: its ID and its journal as the nodes see it.
    struct Run {
        let runID: String
        let journalOnNodes: String
    }

    /// What the job runs: one run, or the runs of an array's tasks in order, at most `limit` at once.
    enum Job {
        case run(Run)
        case array([Run], limit: Int)
    }

    let job: Job
    /// The program every run executes, for an experiment written in another language.
    let program: ProgramExperiment?
    let resources: SlurmResources
    /// The `athanor` binary as the nodes see it.
    let athanor: String
    let grace: Duration

    /// The script of a job running `assignment`, whose journal the nodes see at `journalOnNodes`.
    init(assignment: RunAssignment, resources: SlurmResources, athanor: String, journalOnNodes: String, grace: Duration) {
        self.init(
            job: .run(Run(runID: assignment.runID, journalOnNodes: journalOnNodes)), program: assignment.program,
            resources: resources, athanor: athanor, grace: grace)
    }

    init(job: Job, program: ProgramExperiment?, resources: SlurmResources, athanor: String, grace: Duration) {
        self.job = job
        self.program = program
        self.resources = resources
        self.athanor = athanor
        self.grace = grace
    }

    var text: String {
        let seconds = max(1, Int(grace.components.seconds))
        let worker = [athanor, "worker"].map(Self.quoted).joined(separator: " ")
        var options = ["--scheduled", "--grace", String(seconds)]
        if let program { options += program.workerArguments }
        let rest = options.map(Self.quoted).joined(separator: " ")
        let common = [
            "--open-mode=append", "--requeue",
            // TERM to the worker (the batch shell, which it replaces) this long before --time ends.
            "--signal=B:TERM@\(seconds)",
        ]
        switch job {
        case .run(let run):
            let directives =
                ["--job-name=athanor-\(run.runID)", "--output=\(run.journalOnNodes.dropLast(".jsonl".count)).slurm.out"]
                + common + resources.directives
            return header("Athanor run \(run.runID)") + Self.sbatch(directives)
                + "exec \(worker) \(Self.quoted(run.journalOnNodes)) \(rest)\n"
        case .array(let runs, let limit):
            // Each task writes its output beside its own journal (`--output` cannot name it).
            let first = runs.first?.runID ?? ""
            let directives =
                ["--job-name=athanor-array-\(first)", "--array=0-\(runs.count - 1)%\(limit)", "--output=/dev/null"]
                + common + resources.directives
            let cases = runs.enumerated().map { "\($0.offset)) journal=\(Self.quoted($0.element.journalOnNodes)) ;;\n" }
            return header("Athanor runs \(first) and \(runs.count - 1) more, one per array task")
                + Self.sbatch(directives)
                + "case \"$SLURM_ARRAY_TASK_ID\" in\n" + cases.joined()
                + "*) echo \"athanor: array task $SLURM_ARRAY_TASK_ID has no run\" >&2; exit 1 ;;\nesac\n"
                + "exec >>\"${journal%.jsonl}.slurm.out\" 2>&1\n"
                + "exec \(worker) \"$journal\" \(rest)\n"
        }
    }

    private func header(_ what: String) -> String {
        "#!/bin/sh\n# \(what): written by `athanor`, submitted with sbatch.\n"
    }

    private static func sbatch(_ directives: [String]) -> String {
        directives.map { "#SBATCH \(quoted($0))\n" }.joined()
    }

    /// `text` in single quotes for the shell (and for `#SBATCH`, which splits like it).
    static func quoted(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./=:@,+%".unicodeScalars.contains($0))
        }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
