import Athanor
import Foundation
import MCP

/// The MCP server over standard input and output (`athanor mcp`), for clients that launch a
/// command. Logs go to standard error; standard output carries only the protocol.
public enum AthanorMCP {
    /// Serves MCP on stdio until the client closes it.
    public static func runStdio(data: DataDirectory, registry: ExperimentRegistry) async throws {
        let lab = try Lab(data: data, registry: registry, recovery: .inBackground)
        // Reads only what other processes change, as inotify reports it.
        let watching = Task { await lab.watch() }
        defer { watching.cancel() }
        let server = await MCPServerFactory.make(tools: AgentTools(lab: lab))
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}
