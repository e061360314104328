import ArgumentParser
import Foundation
import TraceFormats
import TraceModel
import TraceStores
import TraceText

/// Which trace store to ask and how to reach it; shared by `view` (trace ids) and `search`.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Grafana Tempo's query URL, e.g. http://tempo:3200 (default: $TEMPO_URL).", valueName: "URL"))
    var tempo: String?

    @Option(
        help: ArgumentHelp(
            "Jaeger's query URL, e.g. http://jaeger:16686 (default: $JAEGER_URL).", valueName: "URL"))
    var jaeger: String?

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp(
            "An HTTP header sent to the store, 'Name: value' (repeatable): a bearer token, X-Scope-OrgID (added to $TRACETUI_HEADERS).",
            valueName: "HEADER"))
    var headers: [String] = []

    @Option(help: ArgumentHelp("Basic auth for the store (or user:password@ in the URL).", valueName: "USER:PASSWORD"))
    var user: String?

    @Option(help: ArgumentHelp("Seconds to wait for each answer of the store.", valueName: "SECONDS"))
    var timeout = 30

    @Flag(help: "Accept the store's TLS certificate unchecked (self-signed test setups only).")
    var insecure = false

    var storeGiven: Bool { tempo != nil || jaeger != nil }

    func validate() throws {
        if tempo != nil && jaeger != nil { throw ValidationError("--tempo and --jaeger exclude each other.") }
        if timeout < 1 { throw ValidationError("--timeout must be at least 1 second.") }
    }

    /// The store named on the command line, else the one environment variable set; nil when none is.
    func connection(_ environment: [String: String]) throws -> StoreConnection? {
        let chosen: (StoreKind, String)
        if let tempo {
            chosen = (.tempo, tempo)
        } else if let jaeger {
            chosen = (.jaeger, jaeger)
        } else {
            let fromEnvironment = [(StoreKind.tempo, environment["TEMPO_URL"]), (.jaeger, environment["JAEGER_URL"])]
                .compactMap { kind, url in url.flatMap { $0.isEmpty ? nil : (kind, $0) } }
            if fromEnvironment.count > 1 {
                throw ValidationError("TEMPO_URL and JAEGER_URL are both set: choose with --tempo URL or --jaeger URL.")
            }
            guard let only = fromEnvironment.first else { return nil }
            chosen = only
        }
        do {
            return try StoreConnection(
                kind: chosen.0, url: chosen.1, headers: headers, user: user, timeoutSeconds: Double(timeout),
                insecure: insecure, environment: environment)
        } catch let error as StoreError {
            throw ValidationError(error.description)
        }
    }
}

/// Runs `body` with a client for the connection (none without one), and closes the client's
/// connections however `body` ends.
func withStoreClient(
    _ connection: StoreConnection?, _ body: ((any TraceStoreClient)?) async throws -> Void
) async throws {
    let client = connection.map(makeStoreClient)
    do {
        try await body(client)
    } catch {
        await client?.http.shutdown()
        throw error
    }
    await client?.http.shutdown()
}

/// An argument of `view` that names a trace in a store rather than a file: not a file there is, and
/// 1–32 hex digits (Tempo's search drops leading zeros; they are put back).
func storeTraceID(_ argument: String) -> TraceID? {
    guard argument != "-", !FileManager.default.fileExists(atPath: argument) else { return nil }
    return TraceID(hex: argument)
}

/// Fetches each trace into `inputs`: a failure is one line naming the store and what went wrong.
func fetchTraces(_ ids: [TraceID], from client: any TraceStoreClient, into inputs: inout LoadedInputs) async {
    for id in ids {
        do {
            inputs.issues += try await client.fetchTrace(id).decode(into: &inputs.store)
        } catch {
            inputs.failures.append(String(describing: error))
        }
    }
}

/// A time as RFC 3339 (`2026-12-02T10:00:00Z`) or Unix seconds; as Unix seconds.
func parseTime(_ text: String) -> Int64? {
    if let seconds = Int64(text) { return seconds }
    let formatter = ISO8601DateFormatter()
    for options: ISO8601DateFormatter.Options in [
        [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
    ] {
        formatter.formatOptions = options
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
    }
    return nil
}
