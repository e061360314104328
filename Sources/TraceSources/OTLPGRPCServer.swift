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
    /// How long the request message may take to arrive whole (a slow client's stream is cancelled).
    let receiveTimeout: Duration

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let (ingest, receiveTimeout) = (self.ingest, self.receiveTimeout)
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            deserializer: ExportRequestDeserializer(ingest: ingest),
            serializer: ProtobufSerializer<Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse>()
        ) { request, _ in
            let single = try await within(receiveTimeout, counters: ingest.channel) {
                try await ServerRequest(stream: request)
            }
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

/// The request message of a slow client, or none: DEADLINE_EXCEEDED after `limit`, counted.
func within<T: Sendable>(
    _ limit: Duration, counters: IngestChannel, _ receive: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await receive() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            counters.count { $0.timedOutRequests += 1 }
            throw RPCError(code: .deadlineExceeded, message: "the request did not arrive whole within \(limit)")
        }
        return value
    }
}

/// Refuses an RPC without `Authorization: Bearer TOKEN` (UNAUTHENTICATED) before its handler runs.
struct BearerTokenInterceptor: ServerInterceptor {
    let token: BearerToken
    let counters: IngestChannel

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let values = Array(request.metadata[stringValues: "authorization"])
        guard values.count == 1, token.accepts(authorization: values[0]) else {
            counters.count { $0.unauthorizedRequests += 1 }
            throw RPCError(
                code: .unauthenticated,
                message:
                    "missing or wrong bearer token: send the metadata authorization: Bearer <token>, the token tracetui listen was given (--auth-token or TRACETUI_AUTH_TOKEN)"
            )
        }
        return try await next(request, context)
    }
}

/// What the gRPC receiver asks of its clients.
public struct OTLPGRPCOptions: Sendable {
    /// When set, every RPC must carry `authorization: Bearer TOKEN`.
    public var token: BearerToken?
    /// Serve over TLS instead of plaintext.
    public var tls: ReceiverTLS?
    /// How long a request message may take to arrive whole.
    public var receiveTimeout: Duration
    /// A connection without RPCs is closed (GOAWAY) after this.
    public var idleTimeout: Duration
    /// RPCs one connection may have open at once; clients queue the rest.
    static let maxConcurrentStreams = 100

    public init(
        token: BearerToken? = nil, tls: ReceiverTLS? = nil, receiveTimeout: Duration = .seconds(40),
        idleTimeout: Duration = .seconds(120)
    ) {
        self.token = token
        self.tls = tls
        self.receiveTimeout = receiveTimeout
        self.idleTimeout = idleTimeout
    }
}

/// The OTLP/gRPC listener: grpc-swift 2 on its SwiftNIO HTTP/2 transport (plaintext or TLS; gzip and
/// deflate message compression accepted).
public final class OTLPGRPCServer {
    private var server: GRPCServer<HTTP2ServerTransport.Posix>?
    private var task: Task<Void, Never>?
    public private(set) var boundPort = 0

    public init() {}

    /// Binds and starts serving; returns once the address is bound, or throws a `SourceError` with a
    /// clear message (the port taken, say).
    public func start(host: String, port: Int, ingest: OTLPIngest, options: OTLPGRPCOptions = OTLPGRPCOptions())
        throws
    {
        let transport = HTTP2ServerTransport.Posix(
            address: host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port),
            transportSecurity: try options.tls?.grpcSecurity() ?? .plaintext,
            config: .defaults { config in
                config.rpc.maxRequestPayloadSize = otlpMaxBodyBytes
                config.compression.enabledAlgorithms = .all
                config.connection.maxIdleTime = options.idleTimeout
                // Said in SETTINGS: unset, HTTP/2 still stops at 100 streams but clients do not
                // know it, and a burst above it ended the whole connection with PROTOCOL_ERROR.
                config.http2.maxConcurrentStreams = OTLPGRPCOptions.maxConcurrentStreams
            }
        )
        let service = OTLPTraceService(ingest: ingest, receiveTimeout: options.receiveTimeout)
        let interceptors = options.token.map { [BearerTokenInterceptor(token: $0, counters: ingest.channel)] } ?? []
        let server = GRPCServer(transport: transport, services: [service], interceptors: interceptors)
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
