import Foundation
import TraceFormats
import TraceModel
import XCTest

@testable import TraceAnalysis

let trace1 = "0102030405060708090a0b0c0d0e0f10"
let trace2 = "a0a0a0a0a0a0a0a0b0b0b0b0b0b0b0b0"
let trace3 = "c0c0c0c0c0c0c0c0d0d0d0d0d0d0d0d0"

/// An OTLP attribute of any JSON value kind: strings, integers, doubles, bools, string arrays.
enum A {
    case s(String)
    case i(Int64)
    case d(Double)
    case b(Bool)
    case arr([String])
    var json: String {
        switch self {
        case .s(let v): return #"{"stringValue":"\#(v)"}"#
        case .i(let v): return #"{"intValue":"\#(v)"}"#
        case .d(let v): return #"{"doubleValue":\#(v)}"#
        case .b(let v): return #"{"boolValue":\#(v)}"#
        case .arr(let v):
            return #"{"arrayValue":{"values":[\#(v.map { #"{"stringValue":"\#($0)"}"# }.joined(separator: ","))]}}"#
        }
    }
}

/// One OTLP span object as compact JSON. Ids are given as small integers and written as 16 hex digits.
func span(
    trace: String = trace1, id: UInt64, parent: UInt64 = 0, name: String, start: Int64 = 0, end: Int64 = 0,
    attrs: [(String, A)] = [], status: Int = 0, events: [String] = []
) -> String {
    var s =
        #"{"traceId":"\#(trace)","spanId":"\#(hex16(id))","parentSpanId":"\#(parent == 0 ? "" : hex16(parent))","name":"\#(name)","startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(end)""#
    s += #","attributes":[\#(attrs.map { #"{"key":"\#($0.0)","value":\#($0.1.json)}"# }.joined(separator: ","))]"#
    if status != 0 { s += #","status":{"code":\#(status)}"# }
    if !events.isEmpty {
        s += #","events":[\#(events.map { #"{"name":"\#($0)","timeUnixNano":"\#(start)"}"# }.joined(separator: ","))]"#
    }
    return s + "}"
}

func request(_ spans: [String], service: String = "svc") -> String {
    #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(service)"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[\#(spans.joined(separator: ","))]}]}]}"#
}

/// Decodes `spans` (one request) into a fresh store.
func store(_ spans: [String], file: String = "x.json") throws -> SpanStore {
    var store = SpanStore()
    let result = try TraceLoader.decode(bytes: Array(request(spans).utf8), name: file, into: &store)
    XCTAssertEqual(result.issues, [], "test input must decode cleanly")
    return store
}

func index(_ store: SpanStore, _ name: String) -> Int32 {
    Int32(store.spans.firstIndex { store.string($0.name) == name }!)
}

func names(_ store: SpanStore, _ spans: some Sequence<Int32>) -> [String] {
    spans.map { store.string(store.spans[Int($0)].name) }
}

func facts(_ store: SpanStore, _ name: String) -> LLMFacts {
    FactExtractor(strings: store.strings).facts(of: store.spans[Int(index(store, name))], in: store)
}

func str(_ store: SpanStore, _ id: StrID) -> String { store.string(id) }

func tempDir() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-analysis-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

enum TraceLoaderShim {
    static func load(_ path: String, into store: inout SpanStore) throws -> LoadResult {
        try TraceLoader.load(path: path, into: &store)
    }
}
