import TraceModel
import XCTest

/// The string table keeps each string's id through the table's growth (which moves slots by their
/// stored tags, without hashing the strings again).
final class StringTableTests: XCTestCase {
    func testIdsSurviveGrowthAndEqualStringsShareOne() {
        var table = StringTable()
        let texts = (0..<100_000).map { i in
            String(repeating: "prompt \(i) ", count: i % 23) + String(i, radix: 7)
        }
        let ids = texts.map { table.intern($0) }
        XCTAssertEqual(table.count, 100_001)  // the empty string is id 0
        XCTAssertEqual(ids.first, 1)
        XCTAssertEqual(ids.last, 100_000)
        XCTAssertEqual(table.intern(""), 0)
        for i in stride(from: 0, to: texts.count, by: 997) {
            XCTAssertEqual(table.intern(texts[i]), ids[i])
            XCTAssertEqual(table.lookup(texts[i]), ids[i])
            XCTAssertEqual(table[ids[i]], texts[i])
            XCTAssertEqual(table.byteCount(ids[i]), texts[i].utf8.count)
        }
        XCTAssertEqual(table.count, 100_001)
        XCTAssertNil(table.lookup("prompt 100000"))
    }

    /// Joining another table's strings (a load's pieces) gives the ids that interning them one by one
    /// gives: found ones keep theirs, missing ones are added in the other table's order; looked up in
    /// two halves at once past 50,000 strings.
    func testInterningATableGivesTheIdsOfInterningEachString() {
        for size in [1_000, 60_000] {
            var mine = StringTable()
            var theirs = StringTable()
            for i in 0..<size { _ = mine.intern("shared \(i * 2)") }
            for i in 0..<size {
                _ = theirs.intern(i % 3 == 0 ? "shared \(i)" : "new \(i) " + String(repeating: "x", count: i % 50))
            }
            var oneByOne = mine
            let expected = (0..<theirs.count).map { oneByOne.intern(theirs[StrID($0)]) }
            let ids = mine.intern(contentsOf: theirs)
            XCTAssertEqual(ids, expected, "\(size) strings")
            XCTAssertEqual(mine.count, oneByOne.count)
            XCTAssertEqual(ids[0], 0)
            for id in stride(from: 0, to: theirs.count, by: 101) {
                XCTAssertEqual(mine[ids[id]], theirs[StrID(id)])
                XCTAssertEqual(mine.lookup(theirs[StrID(id)]), ids[id])
            }
        }
    }
}
