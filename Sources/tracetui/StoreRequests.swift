import Foundation
import TerminalBackend
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceStores
import TraceUI

/// Carries out what the TUI asks for (`StoreRequest`) off the UI thread and posts the answer to its
/// inbox: searches and fetches go to the store (when there is one), saves go to a file.
struct StoreRequestHandler: Sendable {
    let client: (any TraceStoreClient)?
    let inbox: Inbox
    let prices: PriceTable
    let featureKeys: [String]

    func handle(_ request: StoreRequest, _ data: ViewData) {
        let inbox = self.inbox
        if case .save(let trace) = request {
            Task.detached { inbox.post(Self.save(trace: trace, data)) }
            return
        }
        guard let client else {
            inbox.post(.storeFailed("no trace store: start tracetui with --tempo URL or --jaeger URL"))
            return
        }
        let prices = self.prices
        let featureKeys = self.featureKeys
        Task.detached {
            do throws(StoreError) {
                switch request {
                case .search(var query, let since):
                    if let since {
                        query.endSeconds = Int64(Date().timeIntervalSince1970.rounded(.up))
                        query.startSeconds = query.endSeconds - since
                    }
                    let answer = try await client.search(query)
                    inbox.post(.storeResults(query, answer.traces, warnings: answer.warnings))
                case .fetch(let id):
                    let fetched = try await client.fetchTrace(id)
                    var store = SpanStore()
                    let result: LoadResult
                    do { result = try fetched.decode(into: &store) } catch {
                        inbox.post(.storeFailed(String(describing: error)))
                        return
                    }
                    let analysis = Analysis(store: store, prices: prices)
                    let warnings = fetched.warnings + result.issues.map(\.description) + analysis.warnings
                    let data = ViewData(
                        store: store, analysis: analysis, title: fetched.sourceName, warnings: warnings,
                        featureKeys: featureKeys)
                    inbox.post(.storeTrace(id, data))
                case .vocabulary:
                    let words = try await client.vocabulary()
                    inbox.post(.storeVocabulary(tags: words.tags, services: words.services))
                case .operations(let service):
                    inbox.post(.storeOperations(service: service, try await client.operations(of: service)))
                case .save:
                    break
                }
            } catch {
                inbox.post(.storeFailed(error.description))
            }
        }
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
