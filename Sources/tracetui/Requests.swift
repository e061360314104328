import Foundation
import TerminalBackend
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceStores
import TraceUI

/// Carries out what the TUI asks for (`UIRequest`) off the UI thread and posts the answer to its
/// inbox: searches and fetches go to the store (when there is one), saves go to a file, the
/// dashboard's figures, the conversations and the list filter's matches are computed on a thread of
/// their own (up to seconds of work for a million spans, which would hold one of the concurrency
/// pool's two threads on this kind of machine).
struct RequestHandler: Sendable {
    let client: (any TraceStoreClient)?
    let inbox: Inbox
    let prices: PriceTable
    let featureKeys: [String]

    func handle(_ request: UIRequest, _ data: ViewData) {
        let inbox = self.inbox
        switch request {
        case .dashboard, .sessions, .countMatches:
            Thread.detachNewThread { inbox.post(Self.prepare(request, data)) }
        default:
            Task.detached { [self] in inbox.post(await answer(request, data)) }
        }
    }

    /// The answer to a request, as the message the UI takes; any failure is `storeFailed`.
    private func answer(_ request: UIRequest, _ data: ViewData) async -> Msg {
        do {
            switch request {
            case .save(let trace):
                return Self.save(trace: trace, data)
            case .search(var query, let since):
                if let since {
                    query.endSeconds = Int64(Date().timeIntervalSince1970.rounded(.up))
                    query.startSeconds = query.endSeconds - since
                }
                let answer = try await store().search(query)
                return .storeResults(query, answer.traces, warnings: answer.warnings)
            case .fetch(let id):
                let fetched = try await store().fetchTrace(id)
                var spans = SpanStore()
                let warnings = try fetched.decode(into: &spans)
                let analysis = Analysis(store: spans, prices: prices)
                return .storeTrace(
                    id,
                    ViewData(
                        store: spans, analysis: analysis, title: fetched.sourceName,
                        warnings: warnings + analysis.warnings,
                        featureKeys: featureKeys))
            case .vocabulary:
                let words = try await store().vocabulary()
                return .storeVocabulary(tags: words.tags, services: words.services)
            case .operations(let service):
                return .storeOperations(service: service, try await store().operations(of: service))
            case .dashboard, .sessions, .countMatches:
                return Self.prepare(request, data)
            }
        } catch {
            return .storeFailed(String(describing: error))
        }
    }

    /// Computes what `data` keeps for the UI to take (the dashboard's figures, the conversations, the
    /// list filter's matches) and returns the message that says it is there.
    private static func prepare(_ request: UIRequest, _ data: ViewData) -> Msg {
        switch request {
        case .dashboard(let filter):
            data.prepareDashboard(filter: filter)
            return .dashboardPrepared
        case .sessions:
            data.prepareSessions()
            return .sessionsPrepared
        case .countMatches(let filter):
            data.prepareMatchCounts(filter)
            return .matchesCounted
        case .search, .fetch, .vocabulary, .operations, .save:
            preconditionFailure("the store's requests and saves are answered by answer(_:_:)")
        }
    }

    private func store() throws(StoreError) -> any TraceStoreClient {
        guard let client else { throw .settings("no trace store: start tracetui with --tempo URL or --jaeger URL") }
        return client
    }

    /// Writes one trace as OTLP JSON to `trace-<id>.json` in the current directory (never over an
    /// existing file: `-1`, `-2`… are added); the answer says where, or why not.
    static func save(trace: Int, _ data: ViewData) -> Msg {
        let forest = data.analysis.forest
        guard forest.traces.indices.contains(trace) else { return .storeFailed("no trace to save") }
        var copy = SpanStore()
        var copier = SpanStoreCopier(from: data.store)
        for span in forest.traces[trace].spans.sorted() { copier.copy(span: Int(span), of: data.store, into: &copy) }
        let id = forest.traces[trace].traceID.hex
        var name = "trace-\(id).json"
        var n = 1
        while FileManager.default.fileExists(atPath: name) {
            name = "trace-\(id)-\(n).json"
            n += 1
        }
        let bytes = OTLPJSONEncoder.encodeLine(copy) + [0x0A]
        guard FileManager.default.createFile(atPath: name, contents: Data(bytes)) else {
            return .storeFailed("could not write \(name) in \(FileManager.default.currentDirectoryPath)")
        }
        return .notice("saved \(name) (\(copy.spans.count) spans)")
    }
}
