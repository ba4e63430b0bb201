import ArgumentParser
import AthanorJournal

/// `athanor cat`: a journal's lines, decompressed.
struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print a journal's lines, decompressing a closed (.jsonl.zst) journal.",
        discussion: """
            Either name of a journal works: `runs/I/R.jsonl` prints the compressed form once the run \
            has closed. The output is the exact bytes of the journal, one JSON event per line.
            """
    )

    @Argument(help: "Journal files (.jsonl or .jsonl.zst).")
    var journals: [String]

    func run() throws {
        var output = StandardOutput()
        for journal in journals {
            try JournalBytes.copy(from: journal) { output.write($0) }
        }
    }
}
