import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// The events of runs handed to a scheduler: `run_queued`, `run_requeued` and `run_started`
/// with its job, their lines, and the status they fold to.
@Suite struct SchedulerEventTests {
    private func line(_ event: RunEvent) throws -> String {
        var encoder = EventLineEncoder()
        return String(try encoder.line(JournalEvent(seq: 2, timestamp: .now(), payload: event)).dropLast())
    }

    private func decoded(_ line: String) -> RunEvent? {
        var decoder = EventLineDecoder<RunEvent>()
        guard case .event(let event) = decoder.decode(line) else { return nil }
        return event.payload
    }

    @Test func theLinesRoundTripWithTheirFieldsInOrder() throws {
        let queued = RunEvent.queued(
            RunQueued(executor: "slurm", jobID: "4242", resources: ["partition": "gpu", "time": "1:00:00"]))
        let started = RunEvent.started(pid: 7, host: "node-3", jobID: "4242")
        let requeued = RunEvent.requeued(reason: "preempted")
        for event in [queued, started, requeued, .started(pid: 7, host: "laptop")] {
            #expect(decoded(try line(event)) == event)
        }
        #expect(
            try line(queued).hasSuffix(
                #","type":"run_queued","executor":"slurm","job_id":"4242","resources":{"partition":"gpu","time":"1:00:00"}}"#))
        #expect(try line(started).hasSuffix(#","type":"run_started","pid":7,"host":"node-3","job_id":"4242"}"#))
        #expect(try line(.started(pid: 7, host: "laptop")).hasSuffix(#""pid":7,"host":"laptop"}"#))
        #expect(try line(requeued).hasSuffix(#","type":"run_requeued","reason":"preempted"}"#))
        #expect(queued.isLifecycle && requeued.isLifecycle && !queued.isTerminal && !requeued.isTerminal)
    }

    @Test func aRunIsQueuedUntilItsWorkerStartsAndAgainAfterARequeue() {
        let created = RunCreated(
            run: "r", instance: "i", instanceName: "n", experiment: "demo", config: [:], executor: "slurm")
        var summary = RunSummary()
        let now = Timestamp.now()
        let steps: [(RunEvent, RunStatus)] = [
            (.created(created), .pending),
            (.queued(RunQueued(executor: "slurm", jobID: "17", resources: [:])), .queued),
            (.started(pid: 1, host: "n1", jobID: "17"), .running),
            (.requeued(reason: "node failure"), .queued),
            (.started(pid: 2, host: "n2", jobID: "17"), .running),
            (.completed, .completed),
        ]
        for (seq, (event, status)) in steps.enumerated() {
            summary.apply(JournalEvent(seq: seq + 1, timestamp: now, payload: event))
            #expect(summary.status == status, "after \(event.typeName)")
        }
        #expect(summary.jobID == "17")
        #expect(summary.requeues == 1)
        #expect(summary.host == "n2")
        #expect(RunSummary(json: summary.json) == summary)
    }
}
