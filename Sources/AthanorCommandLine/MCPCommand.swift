import ArgumentParser
import Athanor
import AthanorServer

/// `athanor mcp`: the MCP server over stdio.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the Model Context Protocol over standard input and output, for AI agents.",
        discussion: """
            For MCP clients that launch a command, e.g. {"command": "athanor", "args": ["mcp", "--data", \
            "/path/to/data"]}. The tools are the original Athanor's (list_experiments, create_experiment, \
            start_run, get_run_logs, list_results, …) plus wait_for_run and replay_run; see docs/mcp.md.
            """)

    @OptionGroup var data: DataDirectoryOption

    func run() async throws {
        try await AthanorMCP.runStdio(data: data.directory, registry: data.registry)
    }
}
