import Testing

@testable import Athanor

@Suite struct IdentifierTests {
    @Test func idsAreUniqueAndSortByCreation() {
        let ids = (0..<10_000).map { _ in Identifier.generate() }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { $0.count == 26 && Identifier.isValidPrefix($0) })
    }

    @Test(arguments: ["..", "../x", "/etc", "a/b", "", "ABC", String(repeating: "a", count: 27), "01j il"])
    func pathLikeOrMalformedIDsAreRejected(_ text: String) {
        #expect(!Identifier.isValidPrefix(text))
    }
}
