import Athanor
import AthanorExperiments
import Foundation

@testable import AthanorServer

/// The MCP tool handlers over a fresh data directory, with runs executed inline: what the
/// tool tests share.
struct InlineAgentTools {
    let tools: AgentTools
    let data: DataDirectory

    init(named name: String) throws {
        data = DataDirectory(path: NSTemporaryDirectory() + "athanor-\(name)-\(Identifier.generate())")
        let registry = BundledExperiments.registry
        let harness = try ServerHarness(
            data: data, registry: registry, executor: InlineExecutor(registry: registry), maxConcurrentRuns: 2)
        tools = AgentTools(harness: harness, refreshesCatalog: true)
    }

    /// What calling `name` fails with, as text; nil when it succeeds.
    func failure(_ name: String, _ arguments: JSONObject) async -> String? {
        do {
            _ = try await tools.call(name, arguments: arguments)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
