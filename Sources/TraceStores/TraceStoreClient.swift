import Foundation
import NIOCore
import TraceFormats
import TraceModel

/// A trace fetched from a store: the body as the store wrote it, decoded by the same loader as a
/// file, straight from the network buffer.
public struct FetchedTrace: Sendable {
    public var traceID: TraceID
    /// "Tempo at http://tempo:3200".
    public var storeName: String
    public var body: ByteBuffer

    /// The loader's name for the source: "Tempo at http://…: trace 4bf9…".
    public var sourceName: String { "\(storeName): trace \(traceID.hex)" }

    /// Decodes the spans into `store`; returns the warnings: a partial trace (Tempo's `PARTIAL` with
    /// its message) and syntax errors in the body. A body without spans is `StoreError.notFound`.
    public func decode(into store: inout SpanStore) throws -> [String] {
        let result = try body.withUnsafeReadableBytes { raw in
            try TraceLoader.decode(buffer: raw.bindMemory(to: UInt8.self), name: sourceName, into: &store)
        }
        if result.spans == 0 && result.issues.isEmpty {
            throw StoreError.notFound(
                store: storeName, what: "trace \(traceID.hex)", said: result.spanless?.description ?? "")
        }
        var warnings: [String] = []
        if result.storeStatus?.uppercased() == "PARTIAL" {
            let said = result.storeMessage.map { ": " + $0 } ?? ""
            warnings.append("\(storeName) returned only part of trace \(traceID.hex)\(said)")
        }
        return warnings + result.issues.map(\.description)
    }
}

/// What one search found.
public struct SearchAnswer: Sendable {
    public var traces: [TraceSummary]
    public var warnings: [String]
}

/// Words the search form completes: Tempo's tag names, Jaeger's services and operations.
public struct StoreVocabulary: Equatable, Sendable {
    public var tags: [String] = []
    public var services: [String] = []
    public var operations: [String: [String]] = [:]
    public init() {}
}

/// The calls tracetui makes to a store, whichever it is.
public protocol TraceStoreClient: Sendable {
    var http: StoreHTTP { get }
    func fetchTrace(_ id: TraceID) async throws(StoreError) -> FetchedTrace
    func search(_ query: StoreQuery) async throws(StoreError) -> SearchAnswer
    /// Tag names (Tempo) or services (Jaeger) for the search form.
    func vocabulary() async throws(StoreError) -> StoreVocabulary
    /// Jaeger's operations of a service; Tempo has none.
    func operations(of service: String) async throws(StoreError) -> [String]
}

/// The client for a connection's kind of store.
public func makeStoreClient(_ connection: StoreConnection) -> any TraceStoreClient {
    let http = StoreHTTP(connection)
    switch connection.kind {
    case .tempo: return TempoClient(http: http)
    case .jaeger: return JaegerClient(http: http)
    }
}

extension StoreHTTP {
    var storeName: String { connection.description }

    /// What a store said in a failed answer: its error object's message, else the body's first line.
    static func said(_ answer: StoreAnswer) -> String {
        if routeIsMissing(answer) { return "" }
        let envelope = StoreEnvelope.read(Array(buffer: answer.body))
        if let message = envelope.errorMessage ?? envelope.message, !message.isEmpty { return message }
        let line = answer.text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line, !line.isEmpty else { return "" }
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// Throws the error an answer that is not 200 stands for; `notFound` names what was looked for.
    func check(_ answer: StoreAnswer, lookingFor what: String) throws(StoreError) {
        switch answer.status {
        case 200..<300: return
        case 300..<400:
            throw .redirected(
                store: storeName, to: StoreConnection.withoutCredentials(answer.location ?? "an unnamed location"))
        case 401, 403: throw .unauthorized(store: storeName, status: answer.status, said: Self.said(answer))
        case 404: throw .notFound(store: storeName, what: what, said: Self.said(answer))
        default: throw .status(store: storeName, status: answer.status, said: Self.said(answer))
        }
    }

    /// Decodes a small JSON answer (search results, names) with Foundation.
    func decodeJSON<T: Decodable>(_ type: T.Type, _ answer: StoreAnswer, what: String) throws(StoreError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(answer.body.readableBytesView))
        } catch {
            throw .unreadable(store: storeName, reason: "\(what) is not the JSON the API writes")
        }
    }
}

/// Whether a 404 came from a server that does not have the route at all (Go's default "404 page not
/// found", or an HTML page), rather than from the API saying the thing is not there.
func routeIsMissing(_ answer: StoreAnswer) -> Bool {
    guard answer.status == 404 else { return false }
    let text = answer.text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    return text == "404 page not found" || text.isEmpty || text.hasPrefix("<")
}

/// A trace id as stores take it in a path: 32 lower-case hex digits.
func pathID(_ id: TraceID) -> String { id.hex }

/// Summaries of the traces in a store decoded from a search answer that holds whole traces (Jaeger):
/// root span (the earliest without a parent, else the earliest), its service and name, first start
/// to last end, and how many spans match `matches`. Newest first, as the stores' UIs list them.
func summaries(of store: SpanStore, matching matches: (Span) -> Bool) -> [TraceSummary] {
    struct Building {
        var root: Int
        var start: Int64
        var end: Int64
        var matched: Int
    }
    var byTrace: [TraceID: Building] = [:]
    for (i, span) in store.spans.enumerated() {
        let hit = matches(span) ? 1 : 0
        guard var b = byTrace[span.traceID] else {
            byTrace[span.traceID] = Building(root: i, start: span.startNanos, end: span.endNanos, matched: hit)
            continue
        }
        let current = store.spans[b.root]
        let isRoot = span.parentSpanID == 0
        let currentIsRoot = current.parentSpanID == 0
        if (isRoot && !currentIsRoot) || (isRoot == currentIsRoot && span.startNanos < current.startNanos) {
            b.root = i
        }
        b.start = min(b.start, span.startNanos)
        b.end = max(b.end, span.endNanos)
        b.matched += hit
        byTrace[span.traceID] = b
    }
    return byTrace.map { id, b in
        let root = store.spans[b.root]
        let service = Int(root.resource) < store.resources.count ? store.resources[Int(root.resource)].serviceName : 0
        return TraceSummary(
            traceID: id, rootService: store.string(service),
            rootName: store.string(root.name), startNanos: b.start, durationNanos: max(0, b.end - b.start),
            matchedSpans: b.matched)
    }
    .sorted { ($0.startNanos, $0.traceID) > ($1.startNanos, $1.traceID) }
}
