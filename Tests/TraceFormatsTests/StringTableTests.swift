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
}
