import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import OTLPProto
import Synchronization
import TraceFormats
import TraceModel

/// A request decoded by the gRPC deserializer, straight from the transport's bytes.
struct DecodedExport: Sendable {
    var decoded: Result<(SpanStore, BatchDecodeResult), ProtobufDecodeError>
}

/// Decodes `ExportTraceServiceRequest` bytes into a span batch (no message objects), on the
/// transport's thread.
struct ExportRequestDeserializer: MessageDeserializer {
    let ingest: OTLPIngest
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> DecodedExport {
        DecodedExport(decoded: bytes.withUnsafeBytes { ingest.decodeProtobuf($0, origin: "otlp/grpc") })
    }
}

/// `opentelemetry.proto.collector.trace.v1.TraceService/Export`, with the status codes the OTLP
/// specification gives: OK (partialSuccess when spans were rejected), INVALID_ARGUMENT for an
/// undecodable request, UNAVAILABLE when the store is behind (the client retries), and the
/// transport's RESOURCE_EXHAUSTED for a message over 64 MiB.
struct OTLPTraceService: RegistrableRPCService {
    let ingest: OTLPIngest

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let ingest = self.ingest
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            deserializer: ExportRequestDeserializer(ingest: ingest),
            serializer: ProtobufSerializer<Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse>()
        ) { request, _ in
            let single = try await ServerRequest(stream: request)
            switch ingest.deliver(single.message.decoded) {
            case .accepted(let r):
                return StreamingServerResponse(single: ServerResponse(message: OTLPIngest.response(r)))
            case .invalid(let message):
                throw RPCError(code: .invalidArgument, message: "cannot decode the request: \(message)")
            case .overloaded(let seconds):
                throw RPCError(
                    code: .unavailable, message: "tracetui is busy storing earlier spans; retry in \(seconds)s",
                    metadata: ["grpc-retry-pushback-ms": "\(seconds * 1000)"])
            }
        }
    }
}

/// The OTLP/gRPC listener: grpc-swift 2 on its SwiftNIO HTTP/2 transport (plaintext; gzip and
/// deflate message compression accepted).
public final class OTLPGRPCServer {
    private var server: GRPCServer<HTTP2ServerTransport.Posix>?
    private var task: Task<Void, Never>?
    public private(set) var boundPort = 0

    public init() {}

    /// Binds and starts serving; returns once the address is bound, or throws a `SourceError` with a
    /// clear message (the port taken, say).
    public func start(host: String, port: Int, ingest: OTLPIngest) throws {
        let transport = HTTP2ServerTransport.Posix(
            address: host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port),
            transportSecurity: .plaintext,
            config: .defaults { config in
                config.rpc.maxRequestPayloadSize = otlpMaxBodyBytes
                config.compression.enabledAlgorithms = .all
            }
        )
        let server = GRPCServer(transport: transport, services: [OTLPTraceService(ingest: ingest)])
        self.server = server
        let failure = LockedBox<Error?>(nil)
        task = Task.detached {
            do { try await server.serve() } catch { failure.value = error }
        }
        // Wait (on this thread) for the bind to succeed or fail.
        let bound = LockedBox<Result<Int, Error>?>(nil)
        let semaphore = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                let address = try await transport.listeningAddress
                bound.value = .success(address.ipv4?.port ?? address.ipv6?.port ?? port)
            } catch {
                bound.value = .failure(error)
            }
            semaphore.signal()
        }
        semaphore.wait()
        switch bound.value {
        case .success(let p)?: boundPort = p
        default:
            // The address may be reported missing before `serve()` has said why: give it a moment.
            if failure.value == nil, let task {
                let finished = DispatchSemaphore(value: 0)
                Task.detached {
                    _ = await task.value
                    finished.signal()
                }
                _ = finished.wait(timeout: .now() + 2)
            }
            let cause =
                failure.value.map { String(describing: $0) } ?? bound.value.flatMap { r -> String? in
                    if case .failure(let e) = r { return String(describing: e) } else { return nil }
                } ?? "unknown error"
            let target = formatHostPort(host, port)
            if cause.contains("Address already in use") || cause.contains("EADDRINUSE") || cause.contains("errno: 98") {
                throw SourceError(
                    "cannot listen for OTLP/gRPC on \(target): the address is already in use (another collector or tracetui?); pick another with --grpc ADDR:PORT or turn gRPC off with --no-grpc"
                )
            }
            throw SourceError("cannot listen for OTLP/gRPC on \(target): \(cause)")
        }
    }

    public func stop() {
        guard let server else { return }
        server.beginGracefulShutdown()
        let semaphore = DispatchSemaphore(value: 0)
        let task = self.task
        Task.detached {
            _ = await task?.value
            semaphore.signal()
        }
        _ = semaphore.wait(timeout: .now() + 5)
        self.server = nil
    }
}

/// A value handed between a task and the thread waiting for it.
final class LockedBox<T: Sendable>: Sendable {
    private let mutex: Mutex<T>
    init(_ value: T) { mutex = Mutex(value) }
    var value: T {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
}
