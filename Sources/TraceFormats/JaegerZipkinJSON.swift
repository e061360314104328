import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Jaeger's JSON model and Zipkin v2 JSON, read by the same streaming decoder as OTLP JSON: a top-level
// object says what it is only through its keys (`{"traceID","spans"}` is a Jaeger trace,
// `{"traceID","spanID"}` a Jaeger span, `{"traceId","id"}` a Zipkin span), so each key is handled
// where it is met and the object is settled at its end. The mapping onto OTLP follows Jaeger's and
// the collector's translators; docs/ARCHITECTURE.md lists the choices.

/// A Jaeger `references[]` entry.
struct SpanReference {
    var followsFrom: Bool
    var traceID: TraceID
    var spanID: SpanID
}

/// What one Jaeger or Zipkin object held so far: a span being read, or a Jaeger trace's parts.
struct ForeignObject {
    var span = Span()
    var startMicros: Int64 = 0
    var durationMicros: Int64 = 0
    var sawTraceID = false
    var sawSpanID = false
    /// A `spans` or `data` list: the object is a Jaeger trace or answer, not a span.
    var holdsSpans = false
    /// Jaeger `parentSpanID` (deprecated) or Zipkin `parentId`.
    var parentField: SpanID = 0
    /// Jaeger `processID`, resolved against the trace's `processes` (which may come after the spans).
    var processKey: StrID = 0
    /// Known already: an inline Jaeger `process`, or Zipkin's `localEndpoint`.
    var resource: UInt32?
    /// Zipkin's `kind` field (it wins over a `span.kind` tag).
    var kindField: SpanKind?
    var shared = false
    /// The trace's `processes`, by key.
    var processes: [StrID: UInt32] = [:]
    /// An id that was not hex: an error only if the object turns out to be a span.
    var idError: JSONSyntaxError?
    /// Where this object's entries start in the decoder's scratch lists.
    let attributesStart: Int
    let referencesStart: Int
    let pendingStart: Int

    var isSpan: Bool { sawTraceID && sawSpanID && !holdsSpans }
}

/// The decoder's state for Jaeger and Zipkin input: scratch lists reused from span to span, and the
/// resources and scopes made so far.
struct ForeignJSONState {
    /// The current span's attributes: tags are mapped (some dropped) before they go to the store.
    var attributes: [Attribute] = []
    var references: [SpanReference] = []
    /// Spans waiting for their trace's `processes`: (span index, `processID`).
    var pendingProcesses: [(span: Int, key: StrID)] = []
    /// Zipkin resources by `localEndpoint.serviceName`.
    var services: [StrID: UInt32] = [:]
    /// Scopes by (name, version) from the `otel.scope.*` tags.
    var scopes: [ScopeKey: UInt32] = [:]
    /// The resource of spans whose process or service is not named.
    var unnamedResource: UInt32?
    /// Shared Zipkin server halves of the current top-level value, to tie to their client halves.
    var sharedServers: [SharedServer] = []
    /// The store's span count when the current top-level value began.
    var valueStart = 0
    /// How deep `data`/`spans` lists nest (bounded, like the OTLP wrappers).
    var nesting = 0
    var keys: ConventionKeys?

    struct ScopeKey: Hashable {
        var name: StrID
        var version: StrID
    }

    struct SharedServer {
        var span: Int
        var zipkinID: SpanID
        var parentField: SpanID
    }
}

/// The interned attribute keys Jaeger and Zipkin conventions use.
struct ConventionKeys {
    let spanKind, error, statusCode, statusDescription: StrID
    let scopeName, libraryName, scopeVersion, libraryVersion: StrID
    let serviceName, event, refType, childOf, followsFrom, warnings, zipkinSpanID: StrID
    let peerService, peerIP, peerPort, hostIP, hostPort: StrID

    init(_ strings: inout StringTable) {
        spanKind = strings.intern("span.kind")
        error = strings.intern("error")
        statusCode = strings.intern("otel.status_code")
        statusDescription = strings.intern("otel.status_description")
        scopeName = strings.intern("otel.scope.name")
        libraryName = strings.intern("otel.library.name")
        scopeVersion = strings.intern("otel.scope.version")
        libraryVersion = strings.intern("otel.library.version")
        serviceName = strings.intern("service.name")
        event = strings.intern("event")
        refType = strings.intern("opentracing.ref_type")
        childOf = strings.intern("child_of")
        followsFrom = strings.intern("follows_from")
        warnings = strings.intern("@jaeger@warnings")
        zipkinSpanID = strings.intern("zipkin.span_id")
        peerService = strings.intern("peer.service")
        peerIP = strings.intern("net.peer.ip")
        peerPort = strings.intern("net.peer.port")
        hostIP = strings.intern("net.host.ip")
        hostPort = strings.intern("net.host.port")
    }
}

/// `data`/`spans` lists nest at most this deep (a Jaeger answer needs three: answer, trace, span).
let maxForeignNesting = 8

extension OTLPJSONDecoder {
    // MARK: objects

    mutating func beginForeignObject() -> ForeignObject {
        ForeignObject(
            attributesStart: foreign.attributes.count, referencesStart: foreign.references.count,
            pendingStart: foreign.pendingProcesses.count)
    }

    /// Settles an object at its end: a trace resolves its spans' processes, a span is stored.
    mutating func finishForeignObject(_ o: inout ForeignObject) throws {
        defer {
            foreign.attributes.removeSubrange(o.attributesStart...)
            foreign.references.removeSubrange(o.referencesStart...)
        }
        if o.holdsSpans { resolveProcesses(o) }
        guard o.isSpan else { return }
        if let error = o.idError { throw error }
        appendForeignSpan(&o)
    }

    /// One object of a Jaeger or Zipkin list: a span, or a Jaeger trace (`spans`, `processes`).
    mutating func decodeForeignObject() throws {
        guard try cursor.beginObject() else { return }
        var o = beginForeignObject()
        var first = true
        while let key = try cursor.nextKey(&first) {
            if try !decodeForeignKey(key, &o) { try cursor.skipValue() }
        }
        try finishForeignObject(&o)
    }

    /// A `data` or `spans` list, or a list of Zipkin span lists (the search answer).
    mutating func decodeForeignList() throws {
        guard try foreignValueIs(UInt8(ascii: "[")) else { return }
        guard foreign.nesting < maxForeignNesting else {
            throw cursor.fail("Jaeger or Zipkin lists nested deeper than \(maxForeignNesting) levels")
        }
        foreign.nesting += 1
        defer { foreign.nesting -= 1 }
        _ = try cursor.beginArray()
        var first = true
        while try cursor.nextElement(&first) {
            switch cursor.peek() {
            case UInt8(ascii: "{"): try decodeForeignObject()
            case UInt8(ascii: "["): try decodeForeignList()
            default: try cursor.skipValue()
            }
        }
    }

    /// Handles one key of a Jaeger or Zipkin object; false when the key is neither's. Values of
    /// another shape are skipped, not errors: the same keys occur in other formats' objects (a
    /// Langfuse trace has `id`, `name`, `tags` and an ISO `timestamp`).
    mutating func decodeForeignKey(_ key: JSONKey, _ o: inout ForeignObject) throws -> Bool {
        if key.is("traceID") || key.is("traceId") {
            o.span.traceID = try hexTraceID(&o)
            o.sawTraceID = true
        } else if key.is("spanID") || key.is("id") {
            o.span.spanID = try hexSpanID(&o)
            o.sawSpanID = true
        } else if key.is("parentSpanID") || key.is("parentId") {
            o.parentField = try hexSpanID(&o)
        } else if key.is("operationName") || key.is("name") {
            o.span.name = try internString()
        } else if key.is("startTime") || key.is("timestamp") {
            o.startMicros = try lenientInt64() ?? 0
        } else if key.is("duration") {
            o.durationMicros = try lenientInt64() ?? 0
        } else if key.is("spans") || key.is("data") {
            o.holdsSpans = true
            sniff.sawJaeger = sniff.sawJaeger || cursor.peek() == UInt8(ascii: "[")
            try decodeForeignList()
        } else {
            return try decodeForeignDetail(key, &o)
        }
        return true
    }

    /// The keys of `decodeForeignKey` that say more than where the span is.
    private mutating func decodeForeignDetail(_ key: JSONKey, _ o: inout ForeignObject) throws -> Bool {
        if key.is("tags") {
            try decodeTags()
        } else if key.is("references") {
            try decodeReferences(&o)
        } else if key.is("logs") {
            o.span.events = try decodeJaegerLogs()
        } else if key.is("annotations") {
            o.span.events = try decodeZipkinAnnotations()
        } else if key.is("processID") {
            o.processKey = try internString()
        } else if key.is("process") {
            o.resource = try decodeJaegerProcess() ?? o.resource
        } else if key.is("processes") {
            try decodeProcesses(&o)
        } else if key.is("localEndpoint") || key.is("remoteEndpoint") {
            try decodeEndpoint(local: key.is("localEndpoint"), &o)
        } else if key.is("kind") {
            o.kindField = cursor.peek() == UInt8(ascii: "\"") ? try spanKind() : nil
            if o.kindField == nil { try cursor.skipValue() }
        } else if key.is("shared") {
            o.shared = cursor.peek() == UInt8(ascii: "t")
            try cursor.skipValue()
        } else if key.is("warnings") {
            try decodeWarnings()
        } else if key.is("errors") || key.is("error") {
            try decodeAPIErrors()
        } else {
            return false
        }
        return true
    }

    // MARK: top-level values

    mutating func beginForeignValue() {
        foreign.valueStart = store.spans.count
        // A syntax error may have left the lists of the value before unsettled.
        foreign.attributes.removeAll(keepingCapacity: true)
        foreign.references.removeAll(keepingCapacity: true)
        foreign.nesting = 0
        foreign.pendingProcesses.removeAll(keepingCapacity: true)
        foreign.sharedServers.removeAll(keepingCapacity: true)
    }

    /// Ties shared Zipkin server halves to their client halves (see `tieSharedServers`).
    mutating func finishForeignValue() {
        if !foreign.sharedServers.isEmpty { tieSharedServers() }
        foreign.pendingProcesses.removeAll(keepingCapacity: true)
        foreign.sharedServers.removeAll(keepingCapacity: true)
    }

    // MARK: lenient values

    /// True when the value starts with `c` (an object or array to read); null or a value of another
    /// shape is skipped.
    mutating func foreignValueIs(_ c: UInt8) throws -> Bool {
        if cursor.peek() == c { return true }
        try cursor.skipValue()
        return false
    }

    /// Starts an array, or skips a value of another shape (false).
    mutating func enterArray() throws -> Bool {
        try foreignValueIs(UInt8(ascii: "[")) && cursor.beginArray()
    }

    /// Starts an object, or skips a value of another shape (false).
    mutating func enterObject() throws -> Bool {
        try foreignValueIs(UInt8(ascii: "{")) && cursor.beginObject()
    }

    /// A string; another value is skipped and read as "".
    mutating func lenientString() throws -> String {
        try foreignValueIs(UInt8(ascii: "\"")) ? cursor.string() : ""
    }

    /// An integer written as a number or a decimal string; another value is skipped and read as nil.
    mutating func lenientInt64() throws -> Int64? {
        switch cursor.peek() ?? 0 {
        case UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // int64() leaves the cursor at the value when it is not an integer.
            do { return try cursor.int64() } catch { try cursor.skipValue() }
        default: try cursor.skipValue()
        }
        return nil
    }

    // MARK: ids

    mutating func hexTraceID(_ o: inout ForeignObject) throws -> TraceID {
        let (high, low) = try hexID(digits: 32, what: "trace id", &o)
        return TraceID(high: high, low: low)
    }

    mutating func hexSpanID(_ o: inout ForeignObject) throws -> SpanID { try hexID(digits: 16, what: "span id", &o).1 }

    /// Jaeger and Zipkin write ids as hex of any length up to `digits` (leading zeros may be
    /// dropped). Anything else reads as zero, its error kept in `o.idError`.
    private mutating func hexID(digits: Int, what: String, _ o: inout ForeignObject) throws -> (UInt64, UInt64) {
        let isString = cursor.peek() == UInt8(ascii: "\"")
        let start = cursor.pos
        guard isString else {
            if !cursor.isNull() {
                try cursor.skipValue()
                o.idError = o.idError ?? JSONSyntaxError(offset: start, message: "expected a hex \(what)")
            }
            return (0, 0)
        }
        let (raw, _) = try cursor.rawString()
        var high: UInt64 = 0
        var low: UInt64 = 0
        for c in raw {
            guard raw.count <= digits, let v = hexValue(c) else {
                let message = "invalid \(what) \(excerpt(raw)) (expected up to \(digits) hex digits)"
                o.idError = o.idError ?? JSONSyntaxError(offset: start, message: message)
                return (0, 0)
            }
            high = (high << 4) | (low >> 60)
            low = (low << 4) | UInt64(v)
        }
        return (high, low)
    }
}

/// Microseconds (Jaeger, Zipkin) to nanoseconds, clamped like every time (see `unixNanos`).
func microsToNanos(_ micros: Int64) -> Int64 {
    let (nanos, overflow) = micros.multipliedReportingOverflow(by: 1000)
    return overflow ? (micros < 0 ? 0 : maxUnixNanos) : unixNanos(nanos)
}
