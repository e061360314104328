import Foundation
import TraceFormats
import TraceModel

/// Jaeger's query API: v3 (`/api/v3/traces/{id}`, `/api/v3/traces?query.…`, `/api/v3/services`,
/// `/api/v3/operations`; OTLP JSON in a `result` wrapper, errors as `{"error":{…}}`), falling back to
/// the older `/api/traces…` routes (Jaeger's own JSON model) on servers without v3. A search answer
/// holds whole traces, so the summaries and matched spans are worked out here.
public struct JaegerClient: TraceStoreClient {
    public let http: StoreHTTP

    public func fetchTrace(_ id: TraceID) async throws(StoreError) -> FetchedTrace {
        var answer = try await http.get("/api/v3/traces/" + pathID(id))
        if routeIsMissing(answer) { answer = try await http.get("/api/traces/" + pathID(id)) }
        try http.check(answer, lookingFor: "trace \(id.hex)")
        return FetchedTrace(traceID: id, storeName: http.storeName, body: answer.body)
    }

    public func search(_ query: StoreQuery) async throws(StoreError) -> SearchAnswer {
        guard !query.service.isEmpty else {
            let services = (try? await vocabulary().services) ?? []
            let known = services.isEmpty ? "" : " (services: \(services.prefix(20).joined(separator: ", ")))"
            throw .settings("a Jaeger search needs a service: --service NAME\(known)")
        }
        var parameters = [
            ("query.service_name", query.service),
            ("query.start_time_min", Self.rfc3339(query.startSeconds)),
            ("query.start_time_max", Self.rfc3339(query.endSeconds)), ("query.search_depth", String(query.limit)),
        ]
        if !query.operation.isEmpty { parameters.append(("query.operation_name", query.operation)) }
        if let min = query.minDurationNanos { parameters.append(("query.duration_min", "\(min)ns")) }
        if let max = query.maxDurationNanos { parameters.append(("query.duration_max", "\(max)ns")) }
        if !query.attributes.isEmpty { parameters.append(("query.attributes", Self.jsonMap(query.attributes))) }
        var answer = try await http.get("/api/v3/traces", query: parameters)
        if routeIsMissing(answer) {
            answer = try await http.get("/api/traces", query: legacyParameters(query))
        } else if answer.status == 404 {
            return SearchAnswer(traces: [], warnings: [])  // v3's "No traces found"
        }
        try http.check(answer, lookingFor: "the search API")
        var store = SpanStore()
        do {
            _ = try answer.body.withUnsafeReadableBytes { raw in
                try TraceLoader.decode(buffer: raw.bindMemory(to: UInt8.self), name: http.storeName, into: &store)
            }
        } catch {
            throw .unreadable(store: http.storeName, reason: "\(error)")
        }
        let traces = Array(summaries(of: store) { matches($0, query, store) }.prefix(query.limit))
        return SearchAnswer(traces: traces, warnings: [])
    }

    public func vocabulary() async throws(StoreError) -> StoreVocabulary {
        var words = StoreVocabulary()
        let v3 = try await http.get("/api/v3/services")
        if routeIsMissing(v3) {
            let old = try await http.get("/api/services")
            try http.check(old, lookingFor: "the services API")
            words.services = try http.decodeJSON(LegacyList.self, old, what: "the service list").data ?? []
        } else {
            try http.check(v3, lookingFor: "the services API")
            words.services = try http.decodeJSON(Services.self, v3, what: "the service list").services ?? []
        }
        words.services.sort()
        return words
    }

    public func operations(of service: String) async throws(StoreError) -> [String] {
        let v3 = try await http.get("/api/v3/operations", query: [("service", service)])
        if routeIsMissing(v3) {
            let path = "/api/services/" + StoreHTTP.encode(service) + "/operations"
            let old = try await http.get(path)
            try http.check(old, lookingFor: "the operations of \(service)")
            return (try http.decodeJSON(LegacyList.self, old, what: "the operation list").data ?? []).sorted()
        }
        try http.check(v3, lookingFor: "the operations of \(service)")
        let operations = try http.decodeJSON(Operations.self, v3, what: "the operation list").operations ?? []
        return Array(Set(operations.map(\.name))).sorted()
    }

    /// The older API's search: times in microseconds, tags as a JSON map.
    private func legacyParameters(_ query: StoreQuery) -> [(String, String)] {
        var parameters = [
            ("service", query.service), ("start", String(query.startSeconds * 1_000_000)),
            ("end", String(query.endSeconds * 1_000_000)), ("limit", String(query.limit)),
        ]
        if !query.operation.isEmpty { parameters.append(("operation", query.operation)) }
        if let min = query.minDurationNanos { parameters.append(("minDuration", "\(min)ns")) }
        if let max = query.maxDurationNanos { parameters.append(("maxDuration", "\(max)ns")) }
        if !query.attributes.isEmpty { parameters.append(("tags", Self.jsonMap(query.attributes))) }
        return parameters
    }

    /// Whether a span is one the query asked for: its service, operation, attributes and duration.
    private func matches(_ span: Span, _ query: StoreQuery, _ store: SpanStore) -> Bool {
        let resource = Int(span.resource) < store.resources.count ? store.resources[Int(span.resource)] : Resource()
        if store.string(resource.serviceName) != query.service { return false }
        if !query.operation.isEmpty && store.string(span.name) != query.operation { return false }
        if let min = query.minDurationNanos, span.durationNanos < min { return false }
        if let max = query.maxDurationNanos, span.durationNanos > max { return false }
        for (key, value) in query.attributes {
            let found =
                store.value(forKey: key, in: span.attributes) ?? store.value(forKey: key, in: resource.attributes)
            guard let found, store.text(found) == value else { return false }
        }
        return true
    }

    static func rfc3339(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func jsonMap(_ pairs: [(key: String, value: String)]) -> String {
        var map: [String: String] = [:]
        for (k, v) in pairs { map[k] = v }
        let data = (try? JSONSerialization.data(withJSONObject: map, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

struct Services: Decodable { var services: [String]? }
struct LegacyList: Decodable { var data: [String]? }
struct Operations: Decodable {
    struct Operation: Decodable { var name: String }
    var operations: [Operation]?
}
