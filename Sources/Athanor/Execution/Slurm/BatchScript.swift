import Foundation

/// The batch script of one run's Slurm job, written beside its journal (`<run>.sbatch`): it
/// runs `athanor worker <journal> --scheduled` on whichever node Slurm picks, with the paths the
/// nodes see.
struct BatchScript {
    let assignment: RunAssignment
    let resources: SlurmResources
    /// The `athanor` binary as the nodes see it.
    let athanor: String
    /// The journal as the nodes see it.
    let journalOnNodes: String
    let grace: Duration

    var text: String {
        let seconds = max(1, Int(grace.components.seconds))
        var directives = [
            "--job-name=athanor-\(assignment.runID)",
            "--output=\(journalOnNodes.dropLast(".jsonl".count)).slurm.out",
            "--open-mode=append",
            "--requeue",
            // TERM to the worker (the batch shell, which it replaces) this long before --time ends.
            "--signal=B:TERM@\(seconds)",
        ]
        directives += resources.directives
        var command = [athanor, "worker", journalOnNodes, "--scheduled", "--grace", String(seconds)]
        if let program = assignment.program { command += program.workerArguments }
        return "#!/bin/sh\n" + "# Athanor run \(assignment.runID): written by `athanor`, submitted with sbatch.\n"
            + directives.map { "#SBATCH \(Self.quoted($0))\n" }.joined()
            + "exec " + command.map(Self.quoted).joined(separator: " ") + "\n"
    }

    /// `text` in single quotes for the shell (and for `#SBATCH`, which splits like it).
    static func quoted(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./=:@,+%".unicodeScalars.contains($0))
        }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
