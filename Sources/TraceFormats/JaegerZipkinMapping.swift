import TraceModel

/// How a Jaeger or Zipkin span becomes an OTLP span, as Jaeger's OTLP translator and the
/// collector's Zipkin receiver map them (the choices are listed in docs/ARCHITECTURE.md).
extension OTLPJSONDecoder {
    /// Stores the span an object described, with its tags mapped, its parent chosen among its
    /// references and its resource and scope found.
    mutating func appendForeignSpan(_ o: inout ForeignObject) {
        var span = o.span
        span.source = source
        span.startNanos = microsToNanos(o.startMicros)
        let duration = microsToNanos(max(o.durationMicros, 0))
        span.endNanos = span.startNanos + min(duration, maxUnixNanos - span.startNanos)
        applyConventionTags(&span, o)
        chooseParentAndLinks(&span, o)
        span.resource = o.resource ?? unnamedResource()
        if o.resource == nil && o.processKey != 0 {
            foreign.pendingProcesses.append((store.spans.count, o.processKey))
        }
        if o.shared && span.kind == .server && span.spanID != 0 { splitSharedServer(&span, o) }
        span.attributes = PoolRange(
            start: UInt32(store.attributes.count), count: UInt32(foreign.attributes.count - o.attributesStart))
        store.attributes.append(contentsOf: foreign.attributes[o.attributesStart...])
        store.spans.append(span)
        countSpan()
    }

    /// `span.kind` → kind; `error`, `otel.status_code`, `otel.status_description` → status (an
    /// `error` tag that is true, or Zipkin's error message, wins); `otel.scope.*` (or the older
    /// `otel.library.*`) → scope. Those tags are dropped, as the translators drop them; `error=false`
    /// stays.
    private mutating func applyConventionTags(_ span: inout Span, _ o: ForeignObject) {
        let k = conventionKeys()
        var scope = ForeignJSONState.ScopeKey(name: 0, version: 0)
        var errorMessage: StrID?
        var statusCode: StatusCode?
        var description: StrID = 0
        var kept = o.attributesStart
        for i in o.attributesStart..<foreign.attributes.count {
            let a = foreign.attributes[i]
            var drop = true
            switch (a.key, a.value) {
            case (k.spanKind, .string(let s)): span.kind = kindFromTag(store.strings[s])
            case (k.statusCode, .string(let s)): statusCode = statusFromTag(store.strings[s])
            case (k.statusDescription, .string(let s)): description = s
            case (k.scopeName, .string(let s)), (k.libraryName, .string(let s)): scope.name = s
            case (k.scopeVersion, .string(let s)), (k.libraryVersion, .string(let s)): scope.version = s
            case (k.error, .bool(true)): errorMessage = 0
            case (k.error, .string(let s)) where store.strings[s] != "false":
                errorMessage = ["", "true"].contains(store.strings[s]) ? 0 : s
            default: drop = false
            }
            if !drop {
                foreign.attributes[kept] = a
                kept += 1
            }
        }
        foreign.attributes.removeSubrange(kept...)
        if let kind = o.kindField { span.kind = kind }
        if let errorMessage {
            span.status = .error
            span.statusMessage = description != 0 ? description : errorMessage
        } else if let statusCode {
            span.status = statusCode
            span.statusMessage = description
        }
        span.scope = scopeIndex(scope)
    }

    private func kindFromTag(_ text: String) -> SpanKind {
        SpanKind.allCases.first { $0 != .unspecified && $0.name == text.lowercased() } ?? .unspecified
    }

    private func statusFromTag(_ text: String) -> StatusCode {
        switch text.uppercased() {
        case "OK": return .ok
        case "ERROR": return .error
        default: return .unset
        }
    }

    /// The parent is the first CHILD_OF reference to a span of the same trace, else the first
    /// FOLLOWS_FROM one (Jaeger's own rule), else `parentSpanID`/`parentId`. Every other reference,
    /// and every FOLLOWS_FROM one, is also a link tagged `opentracing.ref_type` (as Jaeger's OTLP
    /// translator does), so a FOLLOWS_FROM parent is still shown as one.
    private mutating func chooseParentAndLinks(_ span: inout Span, _ o: ForeignObject) {
        let references = foreign.references[o.referencesStart...]
        guard !references.isEmpty else {
            span.parentSpanID = o.parentField
            return
        }
        let trace = span.traceID
        let sameTrace = { (i: Int) in references[i].traceID == trace }
        let parent =
            references.indices.first { sameTrace($0) && !references[$0].followsFrom }
            ?? references.indices.first { sameTrace($0) }
        span.parentSpanID = parent.map { references[$0].spanID } ?? o.parentField
        var links: [SpanLink] = []
        let keys = conventionKeys()
        for i in references.indices where i != parent || references[i].followsFrom {
            var link = SpanLink()
            link.traceID = references[i].traceID
            link.spanID = references[i].spanID
            let type = references[i].followsFrom ? keys.followsFrom : keys.childOf
            link.attributes = PoolRange(start: UInt32(store.attributes.count), count: 1)
            store.attributes.append(Attribute(key: keys.refType, value: .string(type)))
            links.append(link)
        }
        guard !links.isEmpty else { return }
        span.links = PoolRange(start: UInt32(store.links.count), count: UInt32(links.count))
        store.links.append(contentsOf: links)
    }

    private mutating func scopeIndex(_ key: ForeignJSONState.ScopeKey) -> UInt32 {
        if let s = foreign.scopes[key] { return s }
        var scope = Scope()
        scope.name = key.name
        scope.version = key.version
        store.scopes.append(scope)
        let s = UInt32(store.scopes.count - 1)
        foreign.scopes[key] = s
        return s
    }

    /// The resource of spans whose process or service is not named (yet).
    private mutating func unnamedResource() -> UInt32 {
        if let r = foreign.unnamedResource { return r }
        store.resources.append(Resource())
        let r = UInt32(store.resources.count - 1)
        foreign.unnamedResource = r
        return r
    }

    /// At the end of a Jaeger trace: its spans' `processID`s looked up in its `processes`.
    mutating func resolveProcesses(_ o: ForeignObject) {
        for (span, key) in foreign.pendingProcesses[o.pendingStart...] {
            if let r = o.processes[key] { store.spans[span].resource = r }
        }
        foreign.pendingProcesses.removeSubrange(o.pendingStart...)
    }

    // MARK: shared Zipkin spans

    /// A Zipkin server span marked `shared` reuses its client's id. Both halves are kept, as
    /// Zipkin's UI keeps them: the server half gets a derived id (`sharedServerID`, its Zipkin id
    /// kept in `zipkin.span_id`) and, once the value is read, the client half as its parent
    /// (`tieSharedServers`).
    private mutating func splitSharedServer(_ span: inout Span, _ o: ForeignObject) {
        let keys = conventionKeys()
        let hex = store.strings.intern(spanIDHex(span.spanID))
        foreign.attributes.append(Attribute(key: keys.zipkinSpanID, value: .string(hex)))
        foreign.sharedServers.append(
            ForeignJSONState.SharedServer(span: store.spans.count, zipkinID: span.spanID, parentField: o.parentField))
        span.parentSpanID = span.spanID
        span.spanID = sharedServerID(span.spanID)
    }

    /// After a top-level value: a shared server half whose client half is in the value becomes its
    /// child, and the spans of the server's service whose `parentId` is the shared id become the
    /// server's children (Zipkin's rule: the same id on the same endpoint means the server side).
    /// Without its client half, the server half keeps its `parentId`.
    mutating func tieSharedServers() {
        struct SpanKey: Hashable {
            var trace: TraceID
            var id: SpanID
        }
        var servers: [SpanKey: Int] = [:]
        for (n, s) in foreign.sharedServers.enumerated() {
            servers[SpanKey(trace: store.spans[s.span].traceID, id: s.zipkinID)] = n
        }
        var hasClient = [Bool](repeating: false, count: foreign.sharedServers.count)
        for i in foreign.valueStart..<store.spans.count {
            let span = store.spans[i]
            // A client half may itself be the child of another shared server half: both checks apply.
            if let n = servers[SpanKey(trace: span.traceID, id: span.spanID)] { hasClient[n] = true }
            if let n = servers[SpanKey(trace: span.traceID, id: span.parentSpanID)], foreign.sharedServers[n].span != i
            {
                let server = store.spans[foreign.sharedServers[n].span]
                if span.resource == server.resource { store.spans[i].parentSpanID = server.spanID }
            }
        }
        for (n, s) in foreign.sharedServers.enumerated() where !hasClient[n] {
            store.spans[s.span].parentSpanID = s.parentField
        }
    }
}

/// The id of the server half of a shared Zipkin span: a fixed mix of the shared id (the splitmix64
/// finaliser), the same in every run and file, never 0.
func sharedServerID(_ id: SpanID) -> SpanID {
    var z = id &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return z == 0 ? 1 : z
}
