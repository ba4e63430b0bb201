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
        let lab = try Lab(
            data: data, registry: registry, executor: InlineExecutor(registry: registry), maxConcurrentRuns: 2,
            recovery: .inBackground)
        tools = AgentTools(lab: lab)
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
