import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The value types of Jaeger's typed tags.
enum JaegerTagType {
    case string, bool, int64, float64, binary, unknown

    init(_ bytes: UnsafeRawBufferPointer) {
        func matches(_ word: StaticString) -> Bool {
            bytes.count == word.utf8CodeUnitCount && memcmp(bytes.baseAddress!, word.utf8Start, bytes.count) == 0
        }
        if bytes.isEmpty {
            self = .unknown
        } else if matches("string") {
            self = .string
        } else if matches("bool") {
            self = .bool
        } else if matches("int64") {
            self = .int64
        } else if matches("float64") {
            self = .float64
        } else if matches("binary") {
            self = .binary
        } else {
            self = .unknown
        }
    }
}

extension OTLPJSONDecoder {
    // MARK: tags

    /// Jaeger's typed tags (`[{"key","type","value"}]`) or Zipkin's string map (`{"k":"v"}`), added
    /// to the scratch list of the span being read.
    mutating func decodeTags() throws {
        if cursor.peek() == UInt8(ascii: "{") {
            try decodeStringMap()
        } else {
            try decodeTypedTags()
        }
    }

    private mutating func decodeTypedTags() throws {
        guard try enterArray() else { return }
        var first = true
        while try cursor.nextElement(&first) {
            guard try enterObject() else { continue }
            var key: StrID = 0
            var value = AttrValue.empty
            var type = JaegerTagType.unknown
            var firstKey = true
            while let k = try cursor.nextKey(&firstKey) {
                if k.is("key") {
                    key = try internString()
                } else if k.is("type") {
                    type = try foreignValueIs(UInt8(ascii: "\"")) ? cursor.withString { JaegerTagType($0) } : .unknown
                } else if k.is("value") {
                    value = try decodeAnyValue()
                } else {
                    try cursor.skipValue()
                }
            }
            foreign.attributes.append(Attribute(key: key, value: typed(value, type)))
        }
    }

    /// A value read by its JSON shape, made the type the tag names (an int64 beyond 2^53 is written as
    /// a string, a whole float64 reads as an integer, binary is base64 text).
    private mutating func typed(_ value: AttrValue, _ type: JaegerTagType) -> AttrValue {
        switch (type, value) {
        case (.float64, .int(let i)): return .double(Double(i))
        case (.float64, .string(let s)): return Double(store.strings[s]).map { .double($0) } ?? value
        case (.int64, .string(let s)): return Int64(store.strings[s]).map { .int($0) } ?? value
        case (.bool, .string(let s)):
            let text = store.strings[s]
            return text == "true" ? .bool(true) : text == "false" ? .bool(false) : value
        case (.binary, .string(let s)): return .bytes(s)
        default: return value
        }
    }

    private mutating func decodeStringMap() throws {
        guard try cursor.beginObject() else { return }
        var first = true
        while let k = try cursor.nextKey(&first) {
            let key = internKey(k)
            foreign.attributes.append(Attribute(key: key, value: .string(try internString())))
        }
    }

    /// A key interned as it is written, its escapes decoded (keys are matched raw elsewhere).
    private mutating func internKey(_ key: JSONKey) -> StrID {
        let raw = UnsafeBufferPointer(start: key.base, count: key.count)
        guard raw.contains(UInt8(ascii: "\\")) else { return store.strings.intern(UnsafeRawBufferPointer(raw)) }
        var unescaped: [UInt8] = []
        if (try? cursor.unescape(raw, into: &unescaped)) == nil { unescaped = Array(raw) }
        return unescaped.withUnsafeBytes { store.strings.intern($0) }
    }

    /// Jaeger span `warnings` (a list of strings) as the `@jaeger@warnings` array attribute, as
    /// Jaeger v2 keeps them in OTLP; on a trace object the scratch list is dropped with the object.
    mutating func decodeWarnings() throws {
        guard try enterArray() else { return }
        var values: [AttrValue] = []
        var first = true
        while try cursor.nextElement(&first) { values.append(.string(try internString())) }
        guard !values.isEmpty else { return }
        let start = UInt32(store.arrayValues.count)
        store.arrayValues.append(contentsOf: values)
        let key = conventionKeys().warnings
        foreign.attributes.append(Attribute(key: key, value: .array(start: start, count: UInt32(values.count))))
    }

    /// A Jaeger API answer's `errors` (`[{"code","msg"}]`, classic API) or `error`
    /// (`{"httpCode","message"}`, API v3), kept to say why it holds no trace.
    mutating func decodeAPIErrors() throws {
        if cursor.peek() == UInt8(ascii: "{") { return try decodeAPIError() }
        guard try enterArray() else { return }
        var first = true
        while try cursor.nextElement(&first) { try decodeAPIError() }
    }

    private mutating func decodeAPIError() throws {
        guard try enterObject() else { return }
        var code = ""
        var message = ""
        var first = true
        while let k = try cursor.nextKey(&first) {
            if k.is("code") || k.is("httpCode") {
                code = try lenientInt64().map { String($0) } ?? ""
            } else if k.is("msg") || k.is("message") {
                message = try lenientString()
            } else {
                try cursor.skipValue()
            }
        }
        sniff.apiErrors.append(code.isEmpty ? message : code + ": " + message)
    }

    // MARK: references, logs, annotations

    mutating func decodeReferences(_ o: inout ForeignObject) throws {
        guard try enterArray() else { return }
        var first = true
        while try cursor.nextElement(&first) {
            guard try enterObject() else { continue }
            var reference = SpanReference(followsFrom: false, traceID: .zero, spanID: 0)
            var firstKey = true
            while let k = try cursor.nextKey(&firstKey) {
                if k.is("refType") {
                    reference.followsFrom = try lenientString().uppercased() == "FOLLOWS_FROM"
                } else if k.is("traceID") || k.is("traceId") {
                    reference.traceID = try hexTraceID(&o)
                } else if k.is("spanID") || k.is("spanId") {
                    reference.spanID = try hexSpanID(&o)
                } else {
                    try cursor.skipValue()
                }
            }
            foreign.references.append(reference)
        }
    }

    /// Jaeger `logs` (`[{"timestamp","fields"}]`) as events: the `event` field names the event, the
    /// other fields are its attributes (Jaeger's OTLP translator does the same).
    mutating func decodeJaegerLogs() throws -> PoolRange {
        guard try enterArray() else { return .empty }
        var events: [SpanEvent] = []
        var first = true
        while try cursor.nextElement(&first) {
            guard try enterObject() else { continue }
            var event = SpanEvent()
            let fieldsStart = foreign.attributes.count
            var firstKey = true
            while let k = try cursor.nextKey(&firstKey) {
                if k.is("timestamp") {
                    event.timeNanos = microsToNanos(try lenientInt64() ?? 0)
                } else if k.is("fields") {
                    try decodeTypedTags()
                } else {
                    try cursor.skipValue()
                }
            }
            let nameKey = conventionKeys().event
            if let i = foreign.attributes[fieldsStart...].firstIndex(where: { $0.key == nameKey }),
                case .string(let name) = foreign.attributes[i].value
            {
                event.name = name
                foreign.attributes.remove(at: i)
            }
            event.attributes = PoolRange(
                start: UInt32(store.attributes.count), count: UInt32(foreign.attributes.count - fieldsStart))
            store.attributes.append(contentsOf: foreign.attributes[fieldsStart...])
            foreign.attributes.removeSubrange(fieldsStart...)
            events.append(event)
        }
        return appendEvents(events)
    }

    /// Zipkin `annotations` (`[{"timestamp","value"}]`) as events named by their value.
    mutating func decodeZipkinAnnotations() throws -> PoolRange {
        guard try enterArray() else { return .empty }
        var events: [SpanEvent] = []
        var first = true
        while try cursor.nextElement(&first) {
            guard try enterObject() else { continue }
            var event = SpanEvent()
            var firstKey = true
            while let k = try cursor.nextKey(&firstKey) {
                if k.is("timestamp") {
                    event.timeNanos = microsToNanos(try lenientInt64() ?? 0)
                } else if k.is("value") {
                    event.name = try internString()
                } else {
                    try cursor.skipValue()
                }
            }
            events.append(event)
        }
        return appendEvents(events)
    }

    private mutating func appendEvents(_ events: [SpanEvent]) -> PoolRange {
        let range = PoolRange(start: UInt32(store.events.count), count: UInt32(events.count))
        store.events.append(contentsOf: events)
        return range
    }

    // MARK: processes and endpoints

    /// A Jaeger process (`{"serviceName","tags"}`) as a resource: `service.name` and the tags.
    mutating func decodeJaegerProcess() throws -> UInt32? {
        guard try enterObject() else { return nil }
        let start = foreign.attributes.count
        var service: StrID = 0
        var first = true
        while let k = try cursor.nextKey(&first) {
            if k.is("serviceName") {
                service = try internString()
            } else if k.is("tags") {
                try decodeTags()
            } else {
                try cursor.skipValue()
            }
        }
        var resource = Resource()
        resource.serviceName = service
        let key = conventionKeys().serviceName
        resource.attributes = PoolRange(
            start: UInt32(store.attributes.count), count: UInt32(foreign.attributes.count - start + 1))
        store.attributes.append(Attribute(key: key, value: .string(service)))
        store.attributes.append(contentsOf: foreign.attributes[start...])
        foreign.attributes.removeSubrange(start...)
        store.resources.append(resource)
        return UInt32(store.resources.count - 1)
    }

    /// A Jaeger trace's `processes` map (`{"p1":{process}}`).
    mutating func decodeProcesses(_ o: inout ForeignObject) throws {
        guard try enterObject() else { return }
        var first = true
        while let k = try cursor.nextKey(&first) {
            let key = internKey(k)
            if let resource = try decodeJaegerProcess() { o.processes[key] = resource }
        }
    }

    /// Zipkin's `localEndpoint` (its service is the span's resource) and `remoteEndpoint` (the
    /// peer), with addresses and ports as the collector's Zipkin receiver names them.
    mutating func decodeEndpoint(local: Bool, _ o: inout ForeignObject) throws {
        guard try enterObject() else { return }
        let keys = conventionKeys()
        var address: StrID = 0
        var first = true
        while let k = try cursor.nextKey(&first) {
            if k.is("serviceName") {
                let service = try internString()
                if local {
                    o.resource = serviceResource(service)
                } else if service != 0 {
                    foreign.attributes.append(Attribute(key: keys.peerService, value: .string(service)))
                }
            } else if k.is("ipv4") || k.is("ipv6") {
                let text = try internString()
                if address == 0 { address = text }
            } else if k.is("port"), let port = try lenientInt64() {
                foreign.attributes.append(Attribute(key: local ? keys.hostPort : keys.peerPort, value: .int(port)))
            } else {
                try cursor.skipValue()
            }
        }
        if address != 0 {
            foreign.attributes.append(Attribute(key: local ? keys.hostIP : keys.peerIP, value: .string(address)))
        }
    }

    /// One resource per Zipkin service name.
    private mutating func serviceResource(_ service: StrID) -> UInt32 {
        if let r = foreign.services[service] { return r }
        var resource = Resource()
        resource.serviceName = service
        resource.attributes = PoolRange(start: UInt32(store.attributes.count), count: 1)
        store.attributes.append(Attribute(key: conventionKeys().serviceName, value: .string(service)))
        store.resources.append(resource)
        let r = UInt32(store.resources.count - 1)
        foreign.services[service] = r
        return r
    }

    mutating func conventionKeys() -> ConventionKeys {
        if let keys = foreign.keys { return keys }
        let keys = ConventionKeys(&store.strings)
        foreign.keys = keys
        return keys
    }
}
