import Foundation
import TraceModel
import XCTest

@testable import TraceFormats

/// Inputs the fuzzers (scripts/fuzz.sh, docs/FUZZING.md) crashed the decoders with, and the limits
/// that fixed them.
final class FuzzRegressionTests: XCTestCase {
    /// Every input in Fuzz/ (gzipped: they are megabytes of nesting) once crashed a harness; each must
    /// now decode or fail cleanly, through the path its harness takes: `json-*` through the loader,
    /// `protobuf-*` through the protobuf decoder.
    func testCrashInputsReplay() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fuzz")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let path = dir.appendingPathComponent(file).path
            var store = SpanStore()
            if file.hasPrefix("protobuf-") {
                let bytes = try Gzip.inflate(Array(try Data(contentsOf: URL(fileURLWithPath: path))), limit: 1 << 30)
                _ = try? OTLPProtobuf.decode(bytes, source: file, into: &store)
            } else {
                _ = try? TraceLoader.load(path: path, into: &store)
            }
        }
    }

    /// A value nested past the limit is cut there (skipped without recursion, however deep), and the
    /// span holding it is kept, as are the spans after it.
    func testJSONValuesNestedPastTheLimitAreCutAndTheSpanKept() throws {
        for levels in [ValueNesting.limit + 2, 100_000] {
            var store = SpanStore()
            let input =
                jsonRequest(attributeValue: jsonNestedValue(levels: levels)) + "\n" + jsonRequest(attributeValue: "1")
            let result = try TraceLoader.decode(bytes: Array(input.utf8), name: "deep.jsonl", into: &store)
            XCTAssertEqual(result.spans, 2)
            XCTAssertEqual(result.issues, [])
            XCTAssertTrue(attributeText(store).contains(ValueNesting.marker))
        }
    }

    func testJSONValuesNestedToTheLimitAreRead() throws {
        var store = SpanStore()
        let input = jsonRequest(attributeValue: jsonNestedValue(levels: ValueNesting.limit + 1))
        let result = try TraceLoader.decode(bytes: Array(input.utf8), name: "deep.json", into: &store)
        XCTAssertEqual(result.spans, 1)
        XCTAssertEqual(result.issues, [])
        XCTAssertFalse(attributeText(store).contains(ValueNesting.marker))
    }

    func testJSONWrappersNestedPastTheLimitAreAnIssue() throws {
        let request = jsonRequest(attributeValue: "1")
        func wrapped(_ n: Int) -> [UInt8] {
            Array((String(repeating: #"{"trace":"#, count: n) + request + String(repeating: "}", count: n)).utf8)
        }
        var store = SpanStore()
        XCTAssertEqual(try TraceLoader.decode(bytes: wrapped(100), name: "w.json", into: &store).spans, 1)
        let result = try TraceLoader.decode(bytes: wrapped(101), name: "w.json", into: &store)
        XCTAssertEqual(result.spans, 0)
        XCTAssertEqual(result.issues.map(\.message), ["wrapper objects nested deeper than 100 levels"])
    }

    func testProtobufValuesNestedPastTheLimitAreCutAndTheSpanKept() throws {
        var store = SpanStore()
        XCTAssertEqual(
            try OTLPProtobuf.decode(protobufRequest(valueLevels: ValueNesting.limit + 1), source: "p", into: &store)
                .spans, 1)
        XCTAssertFalse(attributeText(store).contains(ValueNesting.marker))
        for levels in [ValueNesting.limit + 2, 100_000] {
            var store = SpanStore()
            XCTAssertEqual(
                try OTLPProtobuf.decode(protobufRequest(valueLevels: levels), source: "p", into: &store).spans, 1)
            XCTAssertTrue(attributeText(store).contains(ValueNesting.marker))
        }
    }

    func testProtobufNestedGroupsAreSkippedWithoutRecursion() throws {
        var store = SpanStore()
        let groups = [UInt8](repeating: 0x13, count: 1_000_000) + [UInt8](repeating: 0x14, count: 1_000_000)
        XCTAssertEqual(try OTLPProtobuf.decode(groups, source: "p", into: &store).spans, 0)
        XCTAssertThrowsError(try OTLPProtobuf.decode([0x13, 0x1B, 0x14], source: "p", into: &store)) { error in
            XCTAssertEqual((error as? ProtobufDecodeError)?.message, "end of group 2 inside group 3")
        }
        XCTAssertThrowsError(try OTLPProtobuf.decode([0x13, 0x1B, 0x1C], source: "p", into: &store)) { error in
            XCTAssertEqual((error as? ProtobufDecodeError)?.message, "group 2 is not closed")
        }
    }
}

// MARK: inputs

/// A one-span JSON request whose one attribute has `attributeValue` as its value.
/// The text of the first span's attribute `k`.
private func attributeText(_ store: SpanStore) -> String {
    guard let span = store.spans.first, let value = store.value(forKey: "k", in: span.attributes) else { return "" }
    return store.text(value)
}

private func jsonRequest(attributeValue: String) -> String {
    #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","#
        + #""spanId":"0102030405060708","name":"s","attributes":[{"key":"k","value":\#(attributeValue)}]}]}]}]}"#
}

/// A string value inside `levels - 1` array values (the limit counts the arrays).
private func jsonNestedValue(levels: Int) -> String {
    String(repeating: #"{"arrayValue":{"values":["#, count: levels - 1) + #"{"stringValue":"x"}"#
        + String(repeating: "]}}", count: levels - 1)
}

private func varint(_ value: Int) -> [UInt8] {
    var v = UInt64(value)
    var out: [UInt8] = []
    while v >= 0x80 {
        out.append(UInt8(v & 0x7F) | 0x80)
        v >>= 7
    }
    return out + [UInt8(v)]
}

/// A length-delimited protobuf field.
private func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
    varint(number << 3 | 2) + varint(payload.count) + payload
}

/// A one-span ExportTraceServiceRequest whose one attribute value is a string inside `valueLevels - 1`
/// array values. The levels' headers are worked out from the inside, so deep nesting is cheap to make.
private func protobufRequest(valueLevels: Int) -> [UInt8] {
    let leaf = field(1, Array("x".utf8))  // AnyValue.string_value
    var headers: [[UInt8]] = []
    var length = leaf.count
    for _ in 1..<valueLevels {
        let values = [0x0A] + varint(length)  // ArrayValue.values
        let array = [0x2A] + varint(length + values.count)  // AnyValue.array_value
        length += values.count + array.count
        headers.append(array + values)
    }
    let value = headers.reversed().flatMap { $0 } + leaf
    let span = field(1, Array(1...16)) + field(2, Array(1...8)) + field(9, field(1, Array("k".utf8)) + field(2, value))
    return field(1, field(2, field(2, span)))
}
