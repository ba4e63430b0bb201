import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// The run fold, checked against the table the browser's copy (`run-model.js`, in
/// `tools/tests/test_browser.py`) is checked against: a page that keeps a run current from its
/// event stream shows what the API would answer.
@Suite struct RunFoldTableTests {
    static let table: JSONValue = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/run-fold-cases.json").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "null"
        return (try? JSONValue(parsing: text)) ?? .null
    }()

    static var cases: [JSONValue] { table["cases"]?.arrayValue ?? [] }

    private static func fold(_ events: ArraySlice<JSONValue>) throws -> RunSummary {
        var decoder = EventLineDecoder<RunEvent>()
        var summary = RunSummary()
        for line in events {
            guard case .event(let event) = decoder.decode(try line.jsonText()) else {
                Issue.record("not a run event: \(line)")
                continue
            }
            summary.apply(event)
        }
        return summary
    }

    /// The fields the table compares; a `null` duration (a run not ended) is not compared.
    private static func compared(_ expected: JSONValue) -> [String] {
        (table["fields"]?.arrayValue ?? []).compactMap(\.stringValue)
            .filter { $0 != "duration" || expected["duration"] != .null }
    }

    @Test func theTableIsRead() {
        #expect(Self.cases.count >= 5)
    }

    @Test func theInitialRunIsTheFoldOfRunCreated() throws {
        let initial = try #require(Self.table["initial"])
        for sample in Self.cases {
            let events = try #require(sample["events"]?.arrayValue)
            let summary = try Self.fold(events.prefix(1)).json
            for field in Self.compared(initial) { #expect(summary[field] == initial[field], "\(field)") }
        }
    }

    @Test(arguments: cases.indices)
    func everyCaseOfTheSharedTable(_ index: Int) throws {
        let sample = Self.cases[index]
        let events = try #require(sample["events"]?.arrayValue)
        let expected = try #require(sample["expected"])
        let summary = try Self.fold(events[...]).json
        for field in Self.compared(expected) {
            #expect(summary[field] == expected[field], "\(sample["name"]?.stringValue ?? ""): \(field)")
        }
    }
}
