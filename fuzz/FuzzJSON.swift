import TraceFormats
import TraceModel

/// libFuzzer entry point: OTLP JSON (a request, JSON Lines, arrays, wrappers), Jaeger and Zipkin
/// JSON decoded as `tracetui view` decodes a file, with syntax errors reported and decoding resumed
/// at the next line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var store = SpanStore()
    do {
        let result = try TraceLoader.decode(bytes: bytes, name: "fuzz.json", into: &store)
        precondition(result.spans == store.spans.count, "spans counted and stored differ")
        precondition(result.issues.count <= TraceLoader.maxIssuesPerFile + 1, "too many issues listed")
        for issue in result.issues {
            precondition(issue.byteOffset >= 0 && issue.byteOffset <= size, "issue offset outside the input")
        }
    } catch {
        // A foreign format or no OTLP at all: a clean refusal, which is what hostile input should get.
    }
    readEverything(store)
    return 0
}
