import CZlib
import Foundation
import OTLPProto
import SwiftProtobuf
import TraceModel

typealias PBRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
typealias PBResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
typealias PBSpan = Opentelemetry_Proto_Trace_V1_Span
typealias PBKeyValue = Opentelemetry_Proto_Common_V1_KeyValue
typealias PBAnyValue = Opentelemetry_Proto_Common_V1_AnyValue

func bytes(hex: String) -> Data {
    var out = Data()
    var i = hex.startIndex
    while i < hex.endIndex {
        let j = hex.index(i, offsetBy: 2)
        out.append(UInt8(hex[i..<j], radix: 16)!)
        i = j
    }
    return out
}

func kv(_ key: String, _ value: PBAnyValue.OneOf_Value) -> PBKeyValue {
    var a = PBKeyValue()
    a.key = key
    a.value.value = value
    return a
}

/// A span with the given ids (hex) and attributes, built with the generated swift-protobuf types.
func pbSpan(
    trace: String, span: String, parent: String? = nil, name: String, start: UInt64 = 1_000, end: UInt64 = 2_000,
    attributes: [PBKeyValue] = []
) -> PBSpan {
    var s = PBSpan()
    s.traceID = bytes(hex: trace)
    s.spanID = bytes(hex: span)
    if let parent { s.parentSpanID = bytes(hex: parent) }
    s.name = name
    s.kind = .client
    s.startTimeUnixNano = start
    s.endTimeUnixNano = end
    s.attributes = attributes
    return s
}

func pbRequest(service: String = "svc", scope: String = "lib", spans: [PBSpan]) -> PBRequest {
    var req = PBRequest()
    var rs = Opentelemetry_Proto_Trace_V1_ResourceSpans()
    rs.resource.attributes = [kv("service.name", .stringValue(service))]
    var ss = Opentelemetry_Proto_Trace_V1_ScopeSpans()
    ss.scope.name = scope
    ss.scope.version = "1.2"
    ss.spans = spans
    rs.scopeSpans = [ss]
    req.resourceSpans = [rs]
    return req
}

let traceA = "0af7651916cd43dd8448eb211c80319c"
let traceB = "4bf92f3577b34da6a3ce929d0e0e4736"

/// Gzip-compresses bytes with zlib (as OTLP exporters do with Content-Encoding: gzip).
func gzip(_ input: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    precondition(
        deflateInit2_(
            &stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            == Z_OK)
    defer { deflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
    var input = input
    let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
        out.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
            return outBuf.count - Int(stream.avail_out)
        }
    }
    return Array(out[0..<produced])
}

extension SpanStore {
    func span(named name: String) -> Span? { spans.first { string($0.name) == name } }
}

/// Builds protobuf wire format by hand, for what the generated types cannot write (unknown fields,
/// groups, the pre-2022 field 1000, broken values).
struct Wire {
    var bytes: [UInt8] = []
    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
    mutating func tag(_ n: UInt64, _ wire: UInt64) { varint(n << 3 | wire) }
    mutating func field(_ n: UInt64, _ b: [UInt8]) {
        tag(n, 2)
        varint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }
    mutating func field(_ n: UInt64, _ s: String) { field(n, Array(s.utf8)) }
    mutating func field(_ n: UInt64, _ build: (inout Wire) -> Void) {
        var w = Wire()
        build(&w)
        field(n, w.bytes)
    }
}
