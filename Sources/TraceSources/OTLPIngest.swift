import OTLPProto
import SwiftProtobuf
import TraceFormats
import TraceModel

/// The largest request body accepted, compressed or not (the OTLP specification's recommendation).
public let otlpMaxBodyBytes = 64 << 20

/// What a receiver answers for one export request.
public enum IngestOutcome: Sendable, Equatable {
    /// Stored (some spans may have been rejected: partialSuccess).
    case accepted(BatchDecodeResult)
    /// Undecodable: 400 / INVALID_ARGUMENT, not to be retried.
    case invalid(String)
    /// The store is behind: 503 / UNAVAILABLE, retry after this many seconds.
    case overloaded(retryAfterSeconds: Int)
}

/// Decoding an export request and handing it to the channel, shared by the HTTP and gRPC receivers.
public struct OTLPIngest: Sendable {
    public let channel: IngestChannel
    public init(channel: IngestChannel) { self.channel = channel }

    public func decodeProtobuf(_ body: UnsafeRawBufferPointer, origin: String) -> Result<
        (SpanStore, BatchDecodeResult), ProtobufDecodeError
    > {
        var store = SpanStore()
        do {
            let r = try OTLPProtobuf.decode(body, source: origin, into: &store)
            return .success((store, r))
        } catch let e as ProtobufDecodeError {
            return .failure(e)
        } catch {
            return .failure(ProtobufDecodeError(offset: 0, path: "", message: String(describing: error)))
        }
    }

    public func decodeJSON(_ body: [UInt8], origin: String) -> Result<
        (SpanStore, BatchDecodeResult), ProtobufDecodeError
    > {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .failure(
                ProtobufDecodeError(
                    offset: 0, path: "",
                    message: "empty body: expected an ExportTraceServiceRequest in JSON ({} at least)"))
        }
        var store = SpanStore()
        do {
            let r = try TraceLoader.decode(bytes: body, name: origin, formats: .otlpJSON, into: &store)
            if let issue = r.issues.first {
                return .failure(
                    ProtobufDecodeError(
                        offset: issue.byteOffset, path: "",
                        message: "invalid JSON at line \(issue.line), column \(issue.column): \(issue.message)"))
            }
            let (rejected, message) = OTLPBatch.rejectInvalidIDs(in: &store)
            return .success(
                (store, BatchDecodeResult(spans: store.spans.count, rejected: rejected, rejectionMessage: message)))
        } catch {
            return .failure(ProtobufDecodeError(offset: 0, path: "", message: String(describing: error)))
        }
    }

    /// Hands a decoded request to the channel and says what to answer.
    public func deliver(_ decoded: Result<(SpanStore, BatchDecodeResult), ProtobufDecodeError>) -> IngestOutcome {
        switch decoded {
        case .failure(let e):
            channel.count { $0.badRequests += 1 }
            return .invalid(e.description)
        case .success(let (store, result)):
            if result.rejected > 0 { channel.count { $0.reject(spans: result.rejected) } }
            if store.spans.isEmpty { return .accepted(result) }
            return channel.offer(IngestBatch(store: store)) ? .accepted(result) : .overloaded(retryAfterSeconds: 1)
        }
    }

    /// The `ExportTraceServiceResponse` for an accepted request: empty, or with partialSuccess.
    public static func response(_ r: BatchDecodeResult)
        -> Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
    {
        var response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
        if r.rejected > 0 {
            var partial = Opentelemetry_Proto_Collector_Trace_V1_ExportTracePartialSuccess()
            partial.rejectedSpans = Int64(r.rejected)
            partial.errorMessage = r.rejectionMessage ?? "\(r.rejected) span(s) rejected"
            response.partialSuccess = partial
        }
        return response
    }
}
