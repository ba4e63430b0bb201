import Foundation
import Testing

@testable import Athanor

/// The one rule for searching logs, checked against the table the browser's copy
/// (`text-search.js`, in `tools/tests/test_browser.py`) is checked against.
@Suite struct TextSearchTests {
    struct Case: Decodable {
        var query: String
        var text: String
        var matches: Bool
    }

    static let cases: [Case] = {
        let table = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/text-search-cases.json")
        return (try? JSONDecoder().decode([Case].self, from: Data(contentsOf: table))) ?? []
    }()

    @Test func theSharedTableIsRead() {
        #expect(Self.cases.count > 20)
    }

    @Test(arguments: cases.indices)
    func everyCaseOfTheSharedTable(_ index: Int) {
        let sample = Self.cases[index]
        #expect(TextSearch(sample.query).matches(sample.text) == sample.matches, "\(sample.query) in \(sample.text)")
    }

    @Test func theQueryAndTheTextAreFoldedAlike() {
        // The server once lowercased the query with Unicode rules and the text with ASCII ones.
        #expect(TextSearch("Étape").matches("ÉTAPE 3"))
        #expect(LogFilter(minimumLevel: .info, text: "étape").accepts(seq: 4, LogRecord(.warn, "Étape 2")))
        #expect(!LogFilter(minimumLevel: .info, text: "étape").accepts(seq: 4, LogRecord(.debug, "Étape 2")))
        #expect(!LogFilter(afterSeq: 4).accepts(seq: 4, LogRecord(.info, "x")))
    }
}
