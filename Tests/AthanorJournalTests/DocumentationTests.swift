import AthanorJournal
import Foundation
import Testing

@Suite struct DocumentationTests {
    /// The example journal in docs/journal-format.md is what the engine reads and writes.
    @Test func theDocumentedExampleJournalDecodesAndReEncodesExactly() throws {
        let page = try TestFiles.read(TestFiles.repositoryRoot + "/docs/journal-format.md")
        let blocks = page.components(separatedBy: "```jsonl\n").dropFirst()
        #expect(blocks.count == 1)
        let example = try #require(blocks.first?.components(separatedBy: "```").first)
        let lines = example.split(separator: "\n").map(String.init)
        #expect(lines.count >= 8)
        var decoder = EventLineDecoder<RunEvent>()
        var encoder = EventLineEncoder()
        for (index, line) in lines.enumerated() {
            guard case .event(let event) = decoder.decode(line) else {
                Issue.record("line \(index + 1) of the documented example does not decode: \(line)")
                continue
            }
            #expect(event.seq == index + 1)
            #expect(try encoder.line(event) == line + "\n", "the example is in the writer's exact format")
        }
    }
}
