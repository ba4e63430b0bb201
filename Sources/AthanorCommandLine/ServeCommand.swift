import ArgumentParser
import Athanor
import AthanorServer
import Foundation

/// `athanor serve`: the web UI, JSON API and event streams.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web UI and the JSON API over the data directory.",
        discussion: """
            Open the printed address in a browser. Runs started from the web or the API execute in \
            worker processes; runs started by any other process on the same data directory (the \
            CLI in another shell, say) appear live. The API is documented in docs/http-api.md. \
            Stops on Ctrl-C or SIGTERM.
            """)

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (default: $PORT, else 4000; 0 picks a free one).")
    var port: Int?

    @Option(
        help:
            "Require this access token on every request (default: $ATHANOR_TOKEN; beyond loopback one is generated when none is given). Browsers pass it once with ?token=..., API clients as `Authorization: Bearer ...`."
    )
    var token: String?

    @Option(
        help:
            "At most this many runs execute at once; the rest wait as pending (default: the number of cores; with --executor slurm, no limit here: Slurm schedules)."
    )
    var maxConcurrentRuns: Int?

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var executor: ExecutorOptions

    @Option(help: "Seconds a run gets to stop gracefully once cancelled before it is killed.")
    var grace: Double = 5

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let maxConcurrentRuns, maxConcurrentRuns < 1 {
            throw ValidationError("--max-concurrent-runs must be at least 1")
        }
        try TimeLimitArguments.validate(timeout: nil, grace: grace)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let accessToken = token ?? environment["ATHANOR_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if accessToken == nil && !AccessToken.isLoopback(host) {
            throw ValidationError(
                "listening on \(host) (beyond loopback) needs an access token: pass --token (for example --token \(AccessToken.generate())) or set ATHANOR_TOKEN"
            )
        }
        if let accessToken, !AccessToken.isValid(accessToken) {
            throw ValidationError("the access token must be 16 to 256 letters, digits, '-', '_', '.' or '~'")
        }
        let server = AthanorServer(
            data: data.directory, registry: data.registry, host: host,
            port: port ?? environment["PORT"].flatMap(Int.init) ?? 4000,
            maxConcurrentRuns: maxConcurrentRuns
                ?? (executor.executor == .slurm ? Int.max : ProcessInfo.processInfo.activeProcessorCount),
            executor: executor.make(
                data: data.directory, process: TimeLimitArguments.executorOptions(timeout: nil, grace: grace, keepsWorkerReady: true)),
            accessToken: accessToken)
        try await server.run { [accessToken] address in
            let open = accessToken.map { "\(address)/?token=\($0)" } ?? address
            FileHandle.standardOutput.write(Data("Athanor is serving \(open) (data: \(data.path))\n".utf8))
        }
    }
}
