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
