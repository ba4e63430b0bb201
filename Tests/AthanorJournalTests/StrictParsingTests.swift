import AthanorJournal
import Testing

/// `JSONValue(parsingStrictly:)`, for request bodies: lone surrogates are errors there, while
/// journals keep reading them as U+FFFD; nesting stops at 512 levels either way.
@Suite struct StrictParsingTests {
    @Test(arguments: [#""\ud800""#, #""\udfff""#, #""a\ud800b""#, #""\ud800\u0041""#, #"{"k":"\udc00"}"#])
    func aLoneSurrogateIsAnErrorWhenStrict(_ text: String) throws {
        #expect(throws: JSONParseError.self) { try JSONValue(parsingStrictly: text) }
        #expect(try JSONValue(parsing: text) != .null)
    }

    @Test func aSurrogatePairIsOneCharacter() throws {
        #expect(try JSONValue(parsingStrictly: #""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func theErrorNamesTheSurrogateAndWhereItIs() {
        do {
            _ = try JSONValue(parsingStrictly: #"{"name":"x\udc00"}"#)
            Issue.record("parsed")
        } catch {
            #expect(error.description == #"lone surrogate \udc00 in a string (not a Unicode character) at byte 11"#)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        for text in [String(repeating: "[", count: 100_000), String(repeating: #"{"a":"#, count: 10_000)] {
            do {
                _ = try JSONValue(parsingStrictly: text)
                Issue.record("parsed")
            } catch {
                #expect(error.reason == "nested deeper than 512 levels")
            }
        }
    }
}
