import TraceFormats
import TraceModel

/// libFuzzer entry point: an OTLP protobuf `ExportTraceServiceRequest` body as the HTTP and gRPC
/// receivers handle it: decoded into a batch store of its own, then merged into the live store.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var batch = SpanStore()
    let result: BatchDecodeResult
    do {
        result = try OTLPProtobuf.decode(
            UnsafeRawBufferPointer(start: data, count: size), source: "fuzz", into: &batch)
    } catch {
        return 0  // the receivers answer 400 and drop the batch
    }
    precondition(result.spans == batch.spans.count, "spans counted and stored differ")
    precondition(result.rejected == 0 || result.rejectionMessage != nil, "a rejection without a reason")
    var live = SpanStore()
    live.append(contentsOf: batch)
    readEverything(live)
    return 0
}
