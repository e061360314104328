/// The keys of a top-level JSON value that were not OTLP, kept to name the format a file is in when
/// it holds no OTLP at all.
struct FormatSniff {
    var sawTraces = false
    /// The keys of other OTLP signals seen (`resourceLogs`, `resourceMetrics`, `resourceProfiles`).
    var otherSignals: [String] = []
    /// How many keys the top-level object had (over all elements of a top-level array).
    var topKeys = 0
    /// How many elements a top-level array had; nil when the value was not an array.
    var arrayElements: Int?
    /// A Jaeger `data` or `spans` list was read (Jaeger JSON, even when it held no span).
    var sawJaeger = false
    /// The `errors` of a Jaeger API answer (`code: msg`).
    var apiErrors: [String] = []
    private var keys: Set<String> = []

    mutating func note(_ key: JSONKey) {
        if keys.count < 32 { keys.insert(key.string) }
    }

    /// A foreign format recognised from the keys seen, if any.
    var foreignFormat: ForeignFormat? {
        if keys.contains("observations") { return .langfuse }
        if keys.contains("traceID") && keys.contains("spans") || keys.contains("data") { return .jaegerUI }
        if keys.contains("localEndpoint")
            || keys.contains("traceId") && keys.contains("id") && keys.contains("timestamp")
        {
            return .zipkin
        }
        return nil
    }

    var keyList: String { keys.sorted().prefix(6).joined(separator: ", ") }
}

/// Formats tracetui recognises but does not read, with what to do instead (Jaeger and Zipkin JSON,
/// and protobuf, are read from files; only the OTLP/HTTP receiver's JSON bodies refuse them).
public enum ForeignFormat: String, Sendable {
    case jaegerUI = "Jaeger UI JSON"
    case zipkin = "Zipkin v2 JSON"
    case langfuse = "a Langfuse trace export"
    case zstd = "zstd-compressed data"
    case protobuf = "binary data (OTLP protobuf?)"
    case html = "an HTML page"

    /// Read when it is a file (`InputFormats.files`); named and refused by the OTLP receivers.
    public var isReadFromFiles: Bool { self == .jaegerUI || self == .zipkin }

    public var advice: String {
        switch self {
        case .jaegerUI, .zipkin:
            return "the OTLP receivers take OTLP only; `tracetui view FILE` reads \(rawValue) files"
        case .langfuse:
            return "tracetui reads OTLP JSON; export the spans from the application's OpenTelemetry SDK instead"
        case .zstd: return "decompress it first (zstd -d) or pipe it: zstd -dc FILE | tracetui view -"
        case .protobuf: return "send protobuf as application/x-protobuf"
        case .html: return "no spans; an error page saved in place of the trace? fetch it again"
        }
    }
}
