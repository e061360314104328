/// The keys of a top-level JSON value that were not OTLP, kept to name the format a file is in when
/// it holds no OTLP at all.
struct FormatSniff {
    var sawTraces = false
    var sawOtherSignal = false
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

/// Trace formats tracetui recognises but does not read, with what to do instead.
public enum ForeignFormat: String, Sendable {
    case jaegerUI = "Jaeger UI JSON"
    case zipkin = "Zipkin v2 JSON"
    case langfuse = "a Langfuse trace export"
    case zstd = "zstd-compressed data"
    case protobuf = "binary data (OTLP protobuf?)"

    public var advice: String {
        switch self {
        case .jaegerUI:
            return "tracetui reads OTLP JSON; fetch the trace from Jaeger's /api/v3/traces/<id>, which returns OTLP"
        case .zipkin:
            return
                "tracetui reads OTLP JSON; convert it with an OpenTelemetry Collector (zipkin receiver, file exporter)"
        case .langfuse:
            return "tracetui reads OTLP JSON; export the spans from the application's OpenTelemetry SDK instead"
        case .zstd: return "decompress it first (zstd -d) or pipe it: zstd -dc FILE | tracetui view -"
        case .protobuf: return "tracetui reads OTLP JSON files; send protobuf to `tracetui listen` instead"
        }
    }
}
