import Athanor
import AthanorExperiments
import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// The catalog's change stream (`GET /api/events`): snapshots in order, whoever asks for a
/// refresh and however many ask at once.
@Suite struct CatalogChangesTests {
    @Test func concurrentRefreshesNeverSendARunBackInTime() async throws {
        let data = DataDirectory(path: NSTemporaryDirectory() + "athanor-changes-\(Identifier.generate())")
        let registry = BundledExperiments.registry
        let store = InstanceStore(data: data, registry: registry)
        let instance = try store.create(
            experiment: "synthetic", name: "ordered", config: ["logs": 20_000, "results": 0, "progress": 200])
        let catalog = try Catalog.open(data)
        let changes = CatalogChanges(catalog: catalog)
        let stream = changes.subscribe()
        let received = Task {
            var seqs: [Int] = []
            for await change in stream {
                guard case .run(let run) = change else { continue }
                seqs.append(run.lastSeq)
                if run.status == .completed { return seqs }
            }
            return seqs
        }
        let run = try RunAssignment.create(
            in: data, instanceID: instance.instanceID, instanceName: instance.name,
            experiment: try registry.experiment(named: "synthetic"), config: instance.config, executor: "inline")
        let execution = Task { try await InlineExecutor(registry: registry).execute(run) }
        // Refreshes from several threads at once while the run writes, as pokes from requests
        // and the watcher do; each yields between refreshes, so the run gets its share of the
        // cooperative pool.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    while (try? Catalog.summarize(run.journalPath).status.isFinished) != true {
                        changes.refreshAndBroadcast()
                        await Task.yield()
                    }
                    changes.refreshAndBroadcast()
                }
            }
        }
        #expect(try await execution.value == .completed)
        let seqs = await received.value
        #expect(seqs.count > 2, "the run was seen while it ran")
        #expect(seqs == seqs.sorted(), "a later snapshot never has an older last_seq")
    }
}
