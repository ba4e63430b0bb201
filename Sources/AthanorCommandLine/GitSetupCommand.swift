import ArgumentParser
import Athanor
import Foundation

/// `athanor git-setup`: readable diffs of compressed journals in git.
struct GitSetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-setup",
        abstract: "Make `git diff` and `git log -p` show compressed journals as readable lines.",
        discussion: """
            Writes DATA/.gitattributes (`*.jsonl.zst binary diff=athanor`) and DATA/.gitignore (the \
            cache and transient markers) if they are missing, and sets \
            `diff.athanor.textconv` to `zstd -dcq` in the git repository that holds the data \
            directory. Commit the data directory as any other files: every run and instance is its own \
            file, so branches merge without conflicts.
            """)

    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        try FileManager.default.createDirectory(atPath: data.path, withIntermediateDirectories: true)
        let attributes = data.path + "/.gitattributes"
        if !FileManager.default.fileExists(atPath: attributes) {
            let text =
                "# Closed run journals are zstd-compressed JSON lines; `athanor git-setup` makes them diff as text.\n*.jsonl.zst binary diff=athanor\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: attributes))
            print("wrote \(attributes)")
        }
        let ignore = data.path + "/.gitignore"
        if !FileManager.default.fileExists(atPath: ignore) {
            // Derived caches and transient markers are not records.
            try Data(".cache/\n*.stop\n*.zst.tmp\n".utf8).write(to: URL(fileURLWithPath: ignore))
            print("wrote \(ignore)")
        }
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", data.path, "config", "diff.athanor.textconv", "zstd -dcq"]
        try git.run()
        git.waitUntilExit()
        guard git.terminationStatus == 0 else {
            throw CommandFailure("`git config` failed in \(data.path): is it inside a git repository?")
        }
        print("git diff and git log -p now show the lines of compressed journals under \(data.path)")
    }
}
