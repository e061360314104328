import TraceModel

/// Writes spans of a store back out as OTLP JSON: one compact `{"resourceSpans":[…]}` request, the
/// line format of the collector's file exporter. Used by `--record`, so what `OTLPJSONDecoder` reads
/// back is what was received: ids as hex, 64-bit integers as decimal strings, doubles that round-trip
/// (`"NaN"`, `"Infinity"` as strings), bytes as base64, nested arrays and maps, events, links, status,
/// resource and scope. Spans that share a resource and a scope, one after the other, share one
/// `resourceSpans` / `scopeSpans` entry.
public enum OTLPJSONEncoder {
    /// One line (no line break) for the given spans of `store`, in order; all spans when nil.
    public static func encodeLine(_ store: SpanStore, spans: Range<Int>? = nil) -> [UInt8] {
        var w = Writer(store: store)
        w.request(spans ?? store.spans.indices)
        return w.out
    }

    private struct Writer {
        let store: SpanStore
        var out: [UInt8] = []

        init(store: SpanStore) {
            self.store = store
            out.reserveCapacity(4096)
        }

        mutating func raw(_ s: StaticString) {
            s.withUTF8Buffer { out.append(contentsOf: $0) }
        }

        mutating func request(_ spans: Range<Int>) {
            raw("{\"resourceSpans\":[")
            var i = spans.lowerBound
            var firstResource = true
            while i < spans.upperBound {
                let resource = store.spans[i].resource
                if !firstResource { out.append(UInt8(ascii: ",")) }
                firstResource = false
                raw("{\"resource\":{\"attributes\":")
                attributes(
                    store.resources.indices.contains(Int(resource)) ? store.resources[Int(resource)].attributes : .empty
                )
                raw("},\"scopeSpans\":[")
                var firstScope = true
                while i < spans.upperBound && store.spans[i].resource == resource {
                    let scope = store.spans[i].scope
                    if !firstScope { out.append(UInt8(ascii: ",")) }
                    firstScope = false
                    raw("{\"scope\":")
                    scopeObject(Int(scope))
                    raw(",\"spans\":[")
                    var firstSpan = true
                    while i < spans.upperBound && store.spans[i].resource == resource && store.spans[i].scope == scope {
                        if !firstSpan { out.append(UInt8(ascii: ",")) }
                        firstSpan = false
                        span(store.spans[i])
                        i += 1
                    }
                    raw("]}")
                }
                raw("]}")
            }
            raw("]}")
        }

        mutating func scopeObject(_ s: Int) {
            guard store.scopes.indices.contains(s) else {
                raw("{}")
                return
            }
            let scope = store.scopes[s]
            raw("{\"name\":")
            string(scope.name)
            if scope.version != 0 {
                raw(",\"version\":")
                string(scope.version)
            }
            if scope.attributes.count > 0 {
                raw(",\"attributes\":")
                attributes(scope.attributes)
            }
            raw("}")
        }

        mutating func span(_ s: Span) {
            raw("{\"traceId\":\"")
            ascii(s.traceID.hex)
            raw("\",\"spanId\":\"")
            ascii(spanIDHex(s.spanID))
            raw("\"")
            if s.parentSpanID != 0 {
                raw(",\"parentSpanId\":\"")
                ascii(spanIDHex(s.parentSpanID))
                raw("\"")
            }
            if s.traceState != 0 {
                raw(",\"traceState\":")
                string(s.traceState)
            }
            if s.flags != 0 {
                raw(",\"flags\":")
                ascii(String(s.flags))
            }
            raw(",\"name\":")
            string(s.name)
            raw(",\"kind\":")
            ascii(String(s.kind.rawValue))
            raw(",\"startTimeUnixNano\":\"")
            ascii(String(s.startNanos))
            raw("\",\"endTimeUnixNano\":\"")
            ascii(String(s.endNanos))
            raw("\"")
            if s.attributes.count > 0 {
                raw(",\"attributes\":")
                attributes(s.attributes)
            }
            if s.events.count > 0 { events(s.events) }
            if s.links.count > 0 { links(s.links) }
            if s.status != .unset || s.statusMessage != 0 {
                raw(",\"status\":{\"code\":")
                ascii(String(s.status.rawValue))
                if s.statusMessage != 0 {
                    raw(",\"message\":")
                    string(s.statusMessage)
                }
                raw("}")
            }
            raw("}")
        }

        mutating func events(_ range: PoolRange) {
            raw(",\"events\":[")
            for (n, e) in store.events[range.range].enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                raw("{\"timeUnixNano\":\"")
                ascii(String(e.timeNanos))
                raw("\",\"name\":")
                string(e.name)
                if e.attributes.count > 0 {
                    raw(",\"attributes\":")
                    attributes(e.attributes)
                }
                raw("}")
            }
            raw("]")
        }

        mutating func links(_ range: PoolRange) {
            raw(",\"links\":[")
            for (n, l) in store.links[range.range].enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                raw("{\"traceId\":\"")
                ascii(l.traceID.hex)
                raw("\",\"spanId\":\"")
                ascii(spanIDHex(l.spanID))
                raw("\"")
                if l.traceState != 0 {
                    raw(",\"traceState\":")
                    string(l.traceState)
                }
                if l.attributes.count > 0 {
                    raw(",\"attributes\":")
                    attributes(l.attributes)
                }
                raw("}")
            }
            raw("]")
        }

        mutating func attributes(_ range: PoolRange) {
            keyValues(store.attributes[range.range])
        }

        mutating func keyValues(_ list: ArraySlice<Attribute>) {
            out.append(UInt8(ascii: "["))
            var first = true
            for a in list {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                raw("{\"key\":")
                string(a.key)
                raw(",\"value\":")
                value(a.value)
                raw("}")
            }
            out.append(UInt8(ascii: "]"))
        }

        mutating func value(_ v: AttrValue) {
            switch v {
            case .empty: raw("{}")
            case .string(let s):
                raw("{\"stringValue\":")
                string(s)
                raw("}")
            case .bool(let b): b ? raw("{\"boolValue\":true}") : raw("{\"boolValue\":false}")
            case .int(let i):
                raw("{\"intValue\":\"")
                ascii(String(i))
                raw("\"}")
            case .double(let d):
                raw("{\"doubleValue\":")
                if d.isNaN {
                    raw("\"NaN\"")
                } else if d.isInfinite {
                    d > 0 ? raw("\"Infinity\"") : raw("\"-Infinity\"")
                } else {
                    ascii(String(d))
                }
                raw("}")
            case .bytes(let s):
                raw("{\"bytesValue\":")
                string(s)
                raw("}")
            case .array(let start, let count):
                raw("{\"arrayValue\":{\"values\":[")
                for i in Int(start)..<Int(start + count) {
                    if i > Int(start) { out.append(UInt8(ascii: ",")) }
                    value(store.arrayValues[i])
                }
                raw("]}}")
            case .kvlist(let start, let count):
                raw("{\"kvlistValue\":{\"values\":")
                keyValues(store.nestedAttributes[Int(start)..<Int(start + count)])
                raw("}}")
            }
        }

        mutating func ascii(_ s: String) { out.append(contentsOf: s.utf8) }

        /// A JSON string of an interned string, escaped.
        mutating func string(_ id: StrID) {
            out.append(UInt8(ascii: "\""))
            store.strings.withBytes(id) { bytes in
                for b in bytes {
                    switch b {
                    case UInt8(ascii: "\""):
                        out.append(UInt8(ascii: "\\"))
                        out.append(b)
                    case UInt8(ascii: "\\"):
                        out.append(UInt8(ascii: "\\"))
                        out.append(b)
                    case 0x0A:
                        out.append(UInt8(ascii: "\\"))
                        out.append(UInt8(ascii: "n"))
                    case 0x0D:
                        out.append(UInt8(ascii: "\\"))
                        out.append(UInt8(ascii: "r"))
                    case 0x09:
                        out.append(UInt8(ascii: "\\"))
                        out.append(UInt8(ascii: "t"))
                    case 0..<0x20, 0x7F:
                        let hex = Array("0123456789abcdef".utf8)
                        out.append(contentsOf: [
                            UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                            hex[Int(b >> 4)], hex[Int(b & 15)],
                        ])
                    default: out.append(b)
                    }
                }
            }
            out.append(UInt8(ascii: "\""))
        }
    }
}

/// Validation shared by the receivers for spans decoded from OTLP JSON: the specification makes a
/// missing or all-zero trace or span id invalid; such spans are refused (counted) rather than stored.
public enum OTLPBatch {
    /// Removes the spans of `store` from `from` on whose ids are invalid; returns how many and why.
    public static func rejectInvalidIDs(in store: inout SpanStore, from: Int = 0) -> (rejected: Int, message: String?) {
        var kept = from
        var noTrace = 0
        var noSpan = 0
        for i in from..<store.spans.count {
            let s = store.spans[i]
            if s.traceID.isZero {
                noTrace += 1
                continue
            }
            if s.spanID == 0 {
                noSpan += 1
                continue
            }
            store.spans[kept] = s
            kept += 1
        }
        store.spans.removeSubrange(kept...)
        var reasons: [String] = []
        if noTrace > 0 { reasons.append("\(noTrace) span(s) without a valid trace id") }
        if noSpan > 0 { reasons.append("\(noSpan) span(s) without a valid span id") }
        return (noTrace + noSpan, reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }
}
