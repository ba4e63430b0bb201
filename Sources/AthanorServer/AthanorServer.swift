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
        // Dead runs are recovered in the background, off every request's path.
        let lab = try Lab(
            data: data, registry: registry, executor: executor, maxConcurrentRuns: maxConcurrentRuns,
            recovery: .inBackground)
        let sessions = MCPSessions(tools: AgentTools(lab: lab))
        let app = Application(
            router: Self.router(lab: lab, sessions: sessions, accessToken: accessToken),
            configuration: .init(address: .hostname(host, port: port), serverName: "athanor"),
            services: [LabWatchService(lab: lab), MCPSessionsService(sessions: sessions)],
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

extension AthanorServer {
    /// Every route the server answers (the API, MCP over HTTP, the pages) over `lab`, behind the
    /// access token when there is one.
    static func router(lab: Lab, sessions: MCPSessions, accessToken: String?) -> Router<BasicRequestContext> {
        let router = Router()
        if let accessToken { router.add(middleware: AccessTokenMiddleware(token: accessToken)) }
        APIRoutes(lab: lab, sessions: sessions).add(to: router)
        MCPRoutes(sessions: sessions).add(to: router)
        PageRoutes().add(to: router)
        return router
    }
}

/// Keeps the lab current with what other processes write, for as long as the server runs.
struct LabWatchService: Service {
    let lab: Lab

    func run() async throws {
        await cancelWhenGracefulShutdown { await lab.watch() }
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
