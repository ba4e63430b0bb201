import Athanor
import Foundation
import MCP

/// The MCP server over standard input and output (`athanor mcp`), for clients that launch a
/// command. Logs go to standard error; standard output carries only the protocol.
public enum AthanorMCP {
    /// Serves MCP on stdio until the client closes it.
    public static func runStdio(data: DataDirectory, registry: ExperimentRegistry) async throws {
        let harness = try ServerHarness(
            data: data, registry: registry, executor: ProcessExecutor(),
            maxConcurrentRuns: ProcessInfo.processInfo.activeProcessorCount)
        let server = await MCPServerFactory.make(tools: AgentTools(harness: harness, refreshesCatalog: true))
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}
