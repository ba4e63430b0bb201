import ArgumentParser

/// The `athanor` command-line interface.
@main
struct AthanorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "athanor",
        abstract: "Athanor: an event-sourced experiment harness whose records are journal files.",
        discussion: """
            Every run is an append-only JSON-lines journal, compressed with zstd once the run ends. \
            These commands read, check and repair journals; see docs/journal-format.md for the format.
            """,
        subcommands: [CatCommand.self, VerifyCommand.self, RecoverCommand.self, SynthCommand.self]
    )
}
