import Foundation
import Testing

@testable import AthanorJournal

/// Hostile input for the journal reader: thousands of mutated and random lines, none of which
/// may crash the decoder, and every one of which is either a valid event or a reported problem.
/// `ATHANOR_FUZZ_SCALE=N` runs N times as many cases as the suite does (a longer fuzz).
let fuzzScale = Int(ProcessInfo.processInfo.environment["ATHANOR_FUZZ_SCALE"] ?? "") ?? 1

@Suite struct FuzzTests {
    /// A small, seeded generator, so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let seeds: [String] = [
        #"{"seq":1,"ts":"2026-11-26T17:36:43.123456Z","type":"run_created","format":1,"run":"r","instance":"i","instance_name":"n","experiment":"e","config":{"a":[1,2.5,{"b":null}]},"executor":"inline"}"#,
        #"{"seq":2,"ts":"2026-11-26T17:36:43.123456Z","type":"log","level":"info","message":"héllo \"q\" \\ \n","metadata":{"k":[true,false,null]}}"#,
        #"{"seq":3,"ts":"2026-11-26T17:36:43.123456Z","type":"result","key":"k","value":{"x":1e300,"y":-0.0,"s":"\ud83e\uddea"}}"#,
        #"{"seq":4,"ts":"2026-11-26T17:36:43.123456Z","type":"progress","current":1,"total":2,"message":"m"}"#,
        #"{"seq":5,"ts":"2026-11-26T17:36:43.123456Z","type":"run_cancelled","reason":"r","forced":true}"#,
    ]

    @Test func mutatedAndRandomLinesNeverCrashTheDecoder() {
        var random = SplitMix(state: 20_261_126)
        var decoder = EventLineDecoder<RunEvent>()
        var outcomes = (events: 0, unknown: 0, invalid: 0)
        let interesting: [UInt8] =
            Array(#"{}[]":,\-.0123456789eEtrufalsn "#.utf8) + [0x00, 0x0A, 0x1F, 0x7F, 0xC3, 0xFF]
        for trial in 0..<5000 * fuzzScale {
            var bytes = Array(Self.seeds[trial % Self.seeds.count].utf8)
            let edits = Int.random(in: 1...8, using: &random)
            for _ in 0..<edits where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[position] = interesting.randomElement(using: &random) ?? 0
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(interesting.randomElement(using: &random) ?? 0, at: position)
                default: bytes.removeSubrange(position...)
                }
            }
            if trial % 10 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            }
            switch bytes.withUnsafeBufferPointer({ decoder.decode($0) }) {
            case .event: outcomes.events += 1
            case .unknownType: outcomes.unknown += 1
            case .invalid(_, let reason):
                #expect(!reason.isEmpty)
                outcomes.invalid += 1
            }
        }
        #expect(outcomes.events + outcomes.unknown + outcomes.invalid == 5000 * fuzzScale)
        #expect(outcomes.invalid > 1000, "most mutations break the line")
    }

    @Test func aJournalOfGarbageIsReadToTheEndWithProblems() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("garbage.jsonl")
        var random = SplitMix(state: 7)
        var text = ""
        let lines = 2000 * fuzzScale
        for index in 0..<lines {
            if index % 3 == 0 {
                text +=
                    #"{"seq":\#(index + 1),"ts":"2026-11-26T17:36:43.000001Z","type":"log","level":"info","message":"ok"}"#
                    + "\n"
            } else {
                let junk = (0..<Int.random(in: 0...80, using: &random)).map { _ in
                    Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &random)))
                }
                text += String(junk) + "\n"
            }
        }
        try TestFiles.write(text, to: path)
        let records = try JournalReader<RunEvent>.records(path)
        #expect(records.compactMap(\.event).count == (lines + 2) / 3)
        #expect(records.count >= lines)
    }
}
