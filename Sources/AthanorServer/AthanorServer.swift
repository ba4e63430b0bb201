import Athanor
import Foundation
import Hummingbird
import ServiceLifecycle
import UnixSignals

/// `athanor serve`: the web UI, the JSON API and the event streams over one data directory.
///
/// Runs started here execute in worker processes; runs started by any other process on the same
/// data directory appear live, through the same journals.
public struct AthanorServer: Sendable {
    public var data: DataDirectory
    public var registry: ExperimentRegistry
    public var host: String
    public var port: Int
    public var maxConcurrentRuns: Int
    /// Executes the runs started here; by default worker processes of this program.
    public var executor: any Executor
    /// When set, every request must carry it (see ``AccessToken``); required beyond loopback.
    public var accessToken: String?

    public init(
        data: DataDirectory, registry: ExperimentRegistry, host: String = "127.0.0.1", port: Int = 4000,
        maxConcurrentRuns: Int = ProcessInfo.processInfo.activeProcessorCount,
        executor: any Executor = ProcessExecutor(), accessToken: String? = nil
    ) {
        self.data = data
        self.registry = registry
        self.host = host
        self.port = port
        self.maxConcurrentRuns = maxConcurrentRuns
        self.executor = executor
        self.accessToken = accessToken
    }

    /// Serves until SIGINT or SIGTERM; `onListening` is told the address once it accepts connections.
    public func run(onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        guard accessToken != nil || AccessToken.isLoopback(host) else { throw ServerError.tokenRequired(host: host) }
        let harness = try ServerHarness(
            data: data, registry: registry, executor: executor, maxConcurrentRuns: maxConcurrentRuns)
        let router = Router()
        if let accessToken { router.add(middleware: AccessTokenMiddleware(token: accessToken)) }
        let sessions = MCPSessions(tools: AgentTools(harness: harness, refreshesCatalog: false))
        APIRoutes(harness: harness, sessions: sessions).add(to: router)
        MCPRoutes(sessions: sessions).add(to: router)
        PageRoutes().add(to: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "athanor"),
            services: [CatalogChangesService(changes: harness.changes), MCPSessionsService(sessions: sessions)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? port
                onListening("http://\(host):\(port)")
            })
        var group = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: app.logger)
        // An event stream whose client stopped reading waits on a full socket and would hold a
        // graceful shutdown open for ever: after a few seconds, what is left is cancelled.
        group.maximumGracefulShutdownDuration = .seconds(3)
        try await ServiceGroup(configuration: group).run()
    }
}

/// Runs the catalog's refresh loop for as long as the server runs.
struct CatalogChangesService: Service {
    let changes: CatalogChanges

    func run() async throws {
        await cancelWhenGracefulShutdown { await changes.run() }
    }
}

/// Closes every MCP session when the server shuts down, so that no session outlives it.
struct MCPSessionsService: Service {
    let sessions: MCPSessions

    func run() async throws {
        try? await gracefulShutdown()
        await sessions.closeAll()
    }
}

/// Why the server cannot start.
public enum ServerError: Error, CustomStringConvertible {
    case tokenRequired(host: String)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            return "listening on \(host) (beyond loopback) needs an access token; pass --token or set ATHANOR_TOKEN"
        }
    }
}
