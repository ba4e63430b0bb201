import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// The parts of the Slurm executor that need no cluster: the batch script, Slurm's notations,
/// the worker's job, and recovery leaving queued runs to their scheduler. (The executor against
/// a real Slurm is tested in tools/tests.)
@Suite struct SlurmExecutorTests {
    private let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-slurm-\(Identifier.generate())")

    @Test func theBatchScriptRunsTheWorkerWithTheResourcesAskedFor() throws {
        var assignment = RunAssignment(
            runID: "01m8runaaaaaaaaaaaaaaaaaaa", instanceID: "i", experiment: "demo", config: [:],
            journalPath: "/data/runs/i/01m8runaaaaaaaaaaaaaaaaaaa.jsonl")
        assignment.program = ProgramExperiment(name: "sweep", file: "/exp/my sweep.py", python: "python3")
        let script = BatchScript(
            assignment: assignment,
            resources: SlurmResources(partition: "gpu", time: "1:00:00", gres: "gpu:1", cpus: 4, mem: "16G", options: ["--qos=high"]),
            athanor: "/opt/athanor/bin/athanor", journalOnNodes: "/mnt/data/runs/i/01m8runaaaaaaaaaaaaaaaaaaa.jsonl",
            grace: .seconds(30)
        ).text
        let lines = script.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/sh")
        for directive in [
            "--job-name=athanor-01m8runaaaaaaaaaaaaaaaaaaa", "--output=/mnt/data/runs/i/01m8runaaaaaaaaaaaaaaaaaaa.slurm.out",
            "--requeue", "--signal=B:TERM@30", "--partition=gpu", "--time=1:00:00", "--gres=gpu:1", "--cpus-per-task=4",
            "--mem=16G", "--qos=high",
        ] {
            #expect(lines.contains("#SBATCH \(directive)"), "\(directive)")
        }
        #expect(
            lines.last
                == "exec /opt/athanor/bin/athanor worker /mnt/data/runs/i/01m8runaaaaaaaaaaaaaaaaaaa.jsonl --scheduled --grace 30 --program '/exp/my sweep.py' --python python3"
        )
        #expect(BatchScript.quoted("it's") == #"'it'\''s'"#)
    }

    /// A sweep's trials go to Slurm as one job array: task `i` runs the `i`-th journal, writes
    /// its output beside it, and at most the cap run at once.
    @Test func theBatchScriptOfAnArrayRunsOneJournalPerTask() throws {
        let nodes = NSTemporaryDirectory() + "athanor-array \(Identifier.generate())"
        try FileManager.default.createDirectory(atPath: nodes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: nodes) }
        let runs = ["01m8runaaaaaaaaaaaaaaaaaaa", "01m8runbbbbbbbbbbbbbbbbbbb", "01m8runccccccccccccccccccc"].map {
            BatchScript.Run(runID: $0, journalOnNodes: "\(nodes)/\($0).jsonl")
        }
        let script = BatchScript(
            job: .array(runs, limit: 2), program: nil, resources: SlurmResources(cpus: 1), athanor: "/opt/athanor",
            grace: .seconds(5)
        ).text
        let lines = script.split(separator: "\n").map(String.init)
        for directive in [
            "--job-name=athanor-array-01m8runaaaaaaaaaaaaaaaaaaa", "--array=0-2%2", "--output=/dev/null", "--requeue",
            "--signal=B:TERM@5", "--cpus-per-task=1",
        ] {
            #expect(lines.contains("#SBATCH \(directive)"), "\(directive)")
        }
        #expect(lines.last == #"exec /opt/athanor worker "$journal" --scheduled --grace 5"#)
        // The shell picks each task's journal and sends the task's output beside it.
        let path = nodes + "/job.sh"
        try script.replacingOccurrences(of: "exec /opt/athanor worker", with: "echo").write(
            toFile: path, atomically: true, encoding: .utf8)
        let shell = try CapturedRun.run(
            executable: "/usr/bin/env", arguments: ["SLURM_ARRAY_TASK_ID=1", "/bin/sh", path], timeout: .seconds(30))
        #expect(shell.termination == .exited(0))
        let output = try String(contentsOfFile: "\(nodes)/01m8runbbbbbbbbbbbbbbbbbbb.slurm.out", encoding: .utf8)
        #expect(output == "\(nodes)/01m8runbbbbbbbbbbbbbbbbbbb.jsonl --scheduled --grace 5\n")
        let stray = try CapturedRun.run(
            executable: "/usr/bin/env", arguments: ["SLURM_ARRAY_TASK_ID=3", "/bin/sh", path], timeout: .seconds(30))
        #expect(stray.termination == .exited(1))
        #expect(stray.errorTail.contains("array task 3 has no run"))
    }

    @Test func slurmDurationsReadAsSeconds() {
        #expect(SlurmCommands.durationSeconds("5") == 300)
        #expect(SlurmCommands.durationSeconds("1:30") == 90)
        #expect(SlurmCommands.durationSeconds("2:00:05") == 7205)
        #expect(SlurmCommands.durationSeconds("1-00:00:10") == 86_410)
        #expect(SlurmCommands.durationSeconds("UNLIMITED") == nil)
        #expect(SlurmCommands.durationSeconds("INVALID") == nil)
    }

    @Test func aWorkerKnowsItsJobFromItsEnvironment() {
        #expect(ScheduledJob.current([:]) == nil)
        #expect(ScheduledJob.current(["SLURM_JOB_ID": "77"]) == ScheduledJob(id: "77", restartCount: 0))
        #expect(ScheduledJob.current(["SLURM_JOB_ID": "77", "SLURM_RESTART_COUNT": "2"])?.restartCount == 2)
        // A task of a job array is named as its run_queued names it.
        #expect(
            ScheduledJob.current(["SLURM_JOB_ID": "80", "SLURM_ARRAY_JOB_ID": "77", "SLURM_ARRAY_TASK_ID": "3"])?.id
                == "77_3")
    }

    @Test func recoveryLeavesAQueuedRunToItsScheduler() throws {
        let run = try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "n", experiment: Counter.self, config: [:],
            executor: "slurm")
        let writer = try JournalWriter<RunEvent>(lease: try #require(run.lease), options: .init(compressOnClose: false))
        try writer.append(.queued(RunQueued(executor: "slurm", jobID: "31", resources: ["cpus": 1])))
        try writer.close()
        run.lease?.release()
        let outcomes = try JournalRecovery.recoverRuns(under: data.runsPath)
        #expect(outcomes.map(\.action) == [.skippedScheduled(executor: "slurm", jobID: "31")])
        #expect(ScheduledRuns.found(in: outcomes).map(\.job) == ["31"])
        // Nothing was written: the run is still queued, its journal plain and open.
        #expect(try Catalog.summarize(run.journalPath).status == .queued)
        #expect(FileManager.default.fileExists(atPath: run.journalPath))
    }

    /// Slurm may start a job before `sbatch` has even answered its submitter, which holds the
    /// journal's lock until it has recorded `run_queued`: the job's worker waits for it.
    @Test func aJobStartedBeforeItsSubmitterRecordedTheQueueingWaitsForTheLock() async throws {
        let run = try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "n", experiment: Counter.self, config: [:],
            executor: "slurm")
        let submitter = try #require(run.lease)
        let worker = Task { try await ScheduledJob.takeLock(of: run.journalPath) }
        let writer = try JournalWriter<RunEvent>(lease: submitter, options: .init(compressOnClose: false))
        try writer.append(.queued(RunQueued(executor: "slurm", jobID: "32", resources: [:])))
        try writer.close()
        // Queued, the lock not yet let go: still the submitter's, not another attempt's.
        #expect(!ScheduledJob.hasStartedSinceQueued(run.journalPath))
        submitter.release()
        let lease = try await worker.value
        defer { lease.release() }
        #expect(JournalLock.isHeld(run.journalPath))
    }

    /// Once an attempt has started the queued run, a held lock is that attempt: only one writes.
    @Test func aSecondAttemptOfAStartedRunDoesNotWrite() async throws {
        let run = try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "n", experiment: Counter.self, config: [:],
            executor: "slurm")
        let first = try #require(run.lease)
        defer { first.release() }
        let writer = try JournalWriter<RunEvent>(lease: first, options: .init(compressOnClose: false))
        try writer.append(.queued(RunQueued(executor: "slurm", jobID: "33", resources: [:])))
        try writer.append(.started(pid: 1, host: "node", jobID: "33"))
        try writer.close()
        #expect(ScheduledJob.hasStartedSinceQueued(run.journalPath))
        await #expect(throws: JournalError.locked(path: run.journalPath)) {
            try await ScheduledJob.takeLock(of: run.journalPath)
        }
    }

    /// A job that ended without ending its run fails it with Slurm's reason and the last line
    /// the job printed, which is usually what went wrong.
    @Test func aRunWhoseJobIsGoneFailsWithTheJobsLastOutputLine() throws {
        let run = try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "n", experiment: Counter.self, config: [:],
            executor: "slurm")
        let lease = try #require(run.lease)
        defer { lease.release() }
        try "starting\nathanor worker: the disk is full\n\n".write(
            toFile: JournalFile(run.journalPath).companionPath(suffix: "slurm.out"), atomically: true, encoding: .utf8)
        let ending = try ScheduledRuns.close(run.journalPath, jobGone: "FAILED (NonZeroExitCode)", forced: false, lease: lease)
        #expect(
            ending
                == .failed(
                    error: "the Slurm job ended without ending the run: FAILED (NonZeroExitCode); its output ends: "
                        + "athanor worker: the disk is full"))
    }

    @Test func anInstanceCarriesResourcesThatWinOverTheExecutorsDefaults() throws {
        let store = InstanceStore(data: data, registry: ExperimentRegistry([Counter.self]))
        let own = SlurmResources(time: "10", cpus: 2, options: ["--qos=high"])
        let created = try store.create(experiment: Counter.name, name: "n", config: [:], resources: own)
        #expect(try created.slurmResources() == own)
        let defaults = SlurmResources(partition: "gpu", time: "60", cpus: 1, options: ["--account=lab"])
        #expect(
            own.merged(over: defaults)
                == SlurmResources(partition: "gpu", time: "10", cpus: 2, options: ["--account=lab", "--qos=high"]))
        // Replaced whole; an empty set is the executor's defaults again, and is recorded.
        let updated = try store.update(created.instanceID, resources: SlurmResources(mem: "4G"))
        #expect(updated.resources == ["mem": "4G"])
        #expect(try store.update(created.instanceID, resources: SlurmResources()).slurmResources() == nil)
        #expect(try store.load(created.instanceID).lastSeq == 3)
        // An instance without resources records none.
        let plain = try store.create(experiment: Counter.name, name: "p", config: [:])
        #expect(plain.resources == [:])
    }

    @Test func resourcesThatSlurmWouldRefuseAreErrorsNamingTheirField() {
        let cases: [(JSONValue, String)] = [
            ([], "resources"), (["cpu": 2], "resources.cpu"), (["cpus": 0], "resources.cpus"),
            (["cpus": "4"], "resources.cpus"), (["time": "soon"], "resources.time"), (["mem": ""], "resources.mem"),
            (["partition": "a\nb"], "resources.partition"), (["options": ["--qos=high", "qos"]], "resources.options[1]"),
            (["options": "--qos=high"], "resources.options"),
        ]
        for (json, field) in cases {
            do {
                _ = try SlurmResources(json: json)
                Issue.record("\(json) was taken")
            } catch {
                guard case .invalidResources(let named, _) = error else { Issue.record("\(error)"); continue }
                #expect(named == field, "\(json)")
            }
        }
        #expect(throws: Never.self) { try SlurmResources(json: ["time": "1-00:00", "gres": "gpu:1", "options": []]) }
    }
}
