import Foundation
import TraceFormats
import TraceModel

/// Grafana Tempo's HTTP API: a trace by id (`/api/v2/traces/<id>`, else the older `/api/traces/<id>`),
/// TraceQL search (`/api/search`) and tag names (`/api/v2/search/tags`, else `/api/search/tags`).
public struct TempoClient: TraceStoreClient {
    public let http: StoreHTTP

    public func fetchTrace(_ id: TraceID) async throws(StoreError) -> FetchedTrace {
        var answer = try await http.get("/api/v2/traces/" + pathID(id))
        if answer.status == 404 {
            // Releases before v2 have no such route; a v2 server's 404 means the trace is not there,
            // which the older route then confirms.
            let v1 = try await http.get("/api/traces/" + pathID(id))
            if v1.status != 404 || routeIsMissing(answer) { answer = v1 }
        }
        try http.check(answer, lookingFor: "trace \(id.hex)")
        return FetchedTrace(traceID: id, storeName: http.storeName, body: answer.body)
    }

    public func search(_ query: StoreQuery) async throws(StoreError) -> SearchAnswer {
        var parameters = [
            ("q", Self.traceQL(for: query)), ("start", String(query.startSeconds)), ("end", String(query.endSeconds)),
            ("limit", String(query.limit)),
        ]
        if let spss = query.spansPerSpanSet { parameters.append(("spss", String(spss))) }
        let answer = try await http.get("/api/search", query: parameters)
        try http.check(answer, lookingFor: "the search API (/api/search)")
        let body = try http.decodeJSON(TempoSearchBody.self, answer, what: "the search answer")
        var traces: [TraceSummary] = []
        var warnings: [String] = []
        for found in body.traces ?? [] {
            guard let id = TraceID(hex: found.traceID) else {
                warnings.append("skipped a result whose trace id \"\(found.traceID.prefix(40))\" is not hex")
                continue
            }
            let matched = found.spanSets.map { sets in sets.reduce(0) { $0 + ($1.matched ?? $1.spans?.count ?? 0) } }
            traces.append(
                TraceSummary(
                    traceID: id, rootService: found.rootServiceName ?? "", rootName: found.rootTraceName ?? "",
                    startNanos: found.startTimeUnixNano?.value ?? 0,
                    durationNanos: (found.durationMs?.value ?? 0) * 1_000_000,
                    matchedSpans: matched ?? found.spanSet.map { $0.matched ?? $0.spans?.count ?? 0 }))
        }
        if traces.count >= query.limit {
            warnings.append(
                "\(http.storeName) returned \(traces.count) traces, the limit: there may be more (raise --limit)")
        }
        return SearchAnswer(traces: traces, warnings: warnings)
    }

    public func vocabulary() async throws(StoreError) -> StoreVocabulary {
        var words = StoreVocabulary()
        let v2 = try await http.get("/api/v2/search/tags")
        if v2.status == 404 {
            let v1 = try await http.get("/api/search/tags")
            try http.check(v1, lookingFor: "the tag API (/api/search/tags)")
            words.tags = try http.decodeJSON(TempoTagNames.self, v1, what: "the tag names").tagNames.map { "." + $0 }
        } else {
            try http.check(v2, lookingFor: "the tag API (/api/v2/search/tags)")
            let scopes = try http.decodeJSON(TempoTagScopes.self, v2, what: "the tag names").scopes
            for scope in scopes {
                let prefix = scope.name == "intrinsic" ? "" : scope.name + "."
                words.tags += scope.tags.map { prefix + $0 }
            }
        }
        return words
    }

    public func operations(of service: String) async throws(StoreError) -> [String] { [] }

    /// The TraceQL for a query: its own text when given, else one span set built from the fields
    /// (`{ resource.service.name = "checkout" && name = "charge" && duration > 1.5s }`).
    public static func traceQL(for query: StoreQuery) -> String {
        if !query.traceQL.isEmpty { return query.traceQL }
        var conditions: [String] = []
        if !query.service.isEmpty { conditions.append("resource.service.name = \(quoted(query.service))") }
        if !query.operation.isEmpty { conditions.append("name = \(quoted(query.operation))") }
        for (key, value) in query.attributes { conditions.append(".\(key) = \(quoted(value))") }
        if let min = query.minDurationNanos { conditions.append("duration >= \(min)ns") }
        if let max = query.maxDurationNanos { conditions.append("duration <= \(max)ns") }
        return conditions.isEmpty ? "{}" : "{ " + conditions.joined(separator: " && ") + " }"
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// A JSON integer Tempo writes as a number or as a string (`"1694718625557000000"`).
struct FlexibleInt: Decodable {
    var value: Int64
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int64.self) {
            value = n
        } else if let s = try? c.decode(String.self), let n = Int64(s) {
            value = n
        } else if let d = try? c.decode(Double.self) {
            value = Int64(d)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an integer")
        }
    }
}

struct TempoSearchBody: Decodable {
    struct Found: Decodable {
        var traceID: String
        var rootServiceName: String?
        var rootTraceName: String?
        var startTimeUnixNano: FlexibleInt?
        var durationMs: FlexibleInt?
        var spanSet: SpanSet?
        var spanSets: [SpanSet]?
    }
    struct SpanSet: Decodable {
        struct Matching: Decodable {}
        var spans: [Matching]?
        var matched: Int?
    }
    var traces: [Found]?
}

struct TempoTagNames: Decodable { var tagNames: [String] }

struct TempoTagScopes: Decodable {
    struct Scope: Decodable {
        var name: String
        var tags: [String]
    }
    var scopes: [Scope]
}
