import Athanor

/// Runs as MCP resources: `athanor://runs/{id}` (the run), `athanor://runs/{id}/logs` (its last
/// 1,000 log lines) and `athanor://runs/{id}/results` (its results, latest value per key), each
/// as JSON; reading them is the same as the matching tools.
extension AgentTools {
    /// The URI templates offered.
    static let resourceTemplates: [(template: String, name: String, description: String)] = [
        ("athanor://runs/{id}", "run", "A run: status, timing, progress, log counts, result keys, error."),
        ("athanor://runs/{id}/logs", "run logs", "A run's last 1,000 log lines."),
        ("athanor://runs/{id}/results", "run results", "A run's results, the latest value per key."),
    ]

    /// The most recent runs, as resources to list: (URI, name).
    func recentRunResources(limit: Int = 100) -> [(uri: String, name: String)] {
        ((try? lab.runs()) ?? []).suffix(limit).reversed().map { entry in
            (
                "athanor://runs/\(entry.summary.runID)",
                "\(entry.summary.instanceName): run \(entry.summary.runID.prefix(12)) (\(entry.summary.status.rawValue))"
            )
        }
    }

    /// The JSON of the resource at `uri`.
    func readResource(_ uri: String) async throws -> JSONValue {
        let prefix = "athanor://runs/"
        guard uri.hasPrefix(prefix) else {
            throw Failure(description: "unknown resource \(uri) (resources are athanor://runs/{id}[/logs|/results])")
        }
        let parts = uri.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (parts.count, parts.last) {
        case (1, _):
            return try await call("get_run", arguments: ["id": .string(parts[0])])
        case (2, "logs"):
            return try await call("get_run_logs", arguments: ["run_id": .string(parts[0]), "limit": 1000])
        case (2, "results"):
            return try await call("list_results", arguments: ["run_id": .string(parts[0]), "limit": 5000])
        default:
            throw Failure(description: "unknown resource \(uri) (resources are athanor://runs/{id}[/logs|/results])")
        }
    }
}
