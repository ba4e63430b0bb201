import ArgumentParser

/// The `athanor` command-line interface.
struct AthanorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "athanor",
        abstract: "Athanor: an event-sourced experiment harness whose records are journal files.",
        discussion: """
            Define experiments in Swift, configure them as instances, run them, and keep every run as \
            an append-only JSON-lines journal (compressed with zstd once the run ends) under the data \
            directory: ./data, or --data DIR, or $ATHANOR_DATA. IDs can be shortened to any unique prefix.
            """,
        subcommands: [
            ServeCommand.self, MCPCommand.self, ExperimentsCommand.self, CreateCommand.self, UpdateCommand.self,
            DeleteCommand.self,
            InstancesCommand.self, RunCommand.self, RunsCommand.self, ShowCommand.self, LogsCommand.self,
            ResultsCommand.self, MetricsCommand.self, CompareCommand.self, CancelCommand.self, ReplayCommand.self, VerifyCommand.self, CatCommand.self,
            SweepCommand.self, SweepsCommand.self, ExportCommand.self, RecoverCommand.self, GitSetupCommand.self, SynthCommand.self, WorkerCommand.self,
            SuperviseCommand.self,
        ]
    )
}
