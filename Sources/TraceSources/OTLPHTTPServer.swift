import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import OTLPProto
import SwiftProtobuf
import TraceFormats
import TraceModel

/// What an OTLP/HTTP receiver accepts and for how long it waits.
public struct OTLPHTTPLimits: Sendable {
    /// The largest body, on the wire and once inflated.
    public var maxBodyBytes: Int
    public var timeouts: HTTPTimeouts
    /// Body bytes all connections may hold at once.
    public var bodyBudget: BodyBudget
    /// When set, every request must carry `Authorization: Bearer TOKEN`.
    public var token: BearerToken?

    public init(
        maxBodyBytes: Int = otlpMaxBodyBytes, timeouts: HTTPTimeouts = HTTPTimeouts(),
        bodyBudget: BodyBudget = BodyBudget(limit: 256 << 20), token: BearerToken? = nil
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.timeouts = timeouts
        self.bodyBudget = bodyBudget
        self.token = token
    }
}

/// OTLP/HTTP: `POST /v1/traces` with `application/x-protobuf` or `application/json`, optionally
/// `Content-Encoding: gzip` (or deflate). Answers in the request's content type, as the OTLP
/// specification asks: 200 with an `ExportTraceServiceResponse` (partialSuccess when spans were
/// rejected), 400 undecodable, 401 without the `--auth-token`, 413 over 64 MiB (announced, as soon as
/// a chunked body passes it, or once inflated), 415 unknown content type or encoding, 503 with
/// `Retry-After` when the store is behind or too many bodies are held at once; errors carry a
/// `google.rpc.Status`. Also 404 for another path and 405 for another method. Nothing of a request
/// is stored before its body has ended.
public final class OTLPHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias OutboundOut = HTTPServerResponsePart

    enum BodyType { case protobuf, json }

    private enum State {
        case idle
        /// Reading a body to decode.
        case receiving(head: HTTPRequestHead, type: BodyType, gzip: Bool, body: ByteBuffer)
        /// Reading a body that will be refused; the answer goes out at its end.
        case discarding(head: HTTPRequestHead, answer: Answer)
        /// Answered early (413, 503 on the way in) or timed out; ignoring the rest until the
        /// connection closes.
        case closing
    }

    struct Answer {
        var status: HTTPResponseStatus
        var type: BodyType?
        var body: [UInt8]
        var headers: [(String, String)] = []
    }

    private let ingest: OTLPIngest
    private let limits: OTLPHTTPLimits
    private var maxBody: Int { limits.maxBodyBytes }
    private var state = State.idle
    /// Body bytes of the current request taken from the shared budget.
    private var reserved = 0

    public init(ingest: OTLPIngest, limits: OTLPHTTPLimits = OTLPHTTPLimits()) {
        self.ingest = ingest
        self.limits = limits
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            context.triggerUserOutboundEvent(RequestPhase.headReceived, promise: nil)
            state = start(head, context: context)
        case .body(var part):
            guard case .receiving(let head, let type, let gzip, var body) = state else { return }
            if let refusal = refusal(adding: part.readableBytes, to: body, type: type) {
                refuseEarly(refusal, head: head, context: context)
                return
            }
            state = .idle  // let `body` be uniquely referenced while appending
            body.writeBuffer(&part)
            state = .receiving(head: head, type: type, gzip: gzip, body: body)
        case .end:
            context.triggerUserOutboundEvent(RequestPhase.bodyReceived, promise: nil)
            switch state {
            case .receiving(let head, let type, let gzip, let body):
                state = .idle
                let answer = handle(body: body, type: type, gzip: gzip)
                releaseBody()
                send(answer, head: head, close: !head.isKeepAlive, context: context)
            case .discarding(let head, let answer):
                state = .idle
                send(answer, head: head, close: !head.isKeepAlive, context: context)
            case .idle, .closing:
                break
            }
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RequestTimedOut {
            state = .closing
            releaseBody()
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A client gone before its body ended: the request is dropped whole (nothing was stored).
    public func channelInactive(context: ChannelHandlerContext) {
        if case .receiving = state { ingest.channel.count { $0.abandonedRequests += 1 } }
        state = .closing
        releaseBody()
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) { releaseBody() }

    /// Why `more` body bytes cannot be taken: over the size limit, or over the shared budget.
    private func refusal(adding more: Int, to body: ByteBuffer, type: BodyType) -> Answer? {
        if body.readableBytes + more > maxBody {
            ingest.channel.count { $0.badRequests += 1 }
            return tooLarge(type, "request body is over \(maxBody) bytes")
        }
        guard limits.bodyBudget.reserve(more) else {
            ingest.channel.count { $0.refusedRequests += 1 }
            return busy(type, "tracetui holds too many request bodies at once")
        }
        reserved += more
        return nil
    }

    /// Answers before the body has ended and closes the connection, so the rest is never read.
    private func refuseEarly(_ answer: Answer, head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .closing
        releaseBody()
        send(answer, head: head, close: true, context: context)
    }

    private func releaseBody() {
        if reserved > 0 { limits.bodyBudget.release(reserved) }
        reserved = 0
    }

    private func start(_ head: HTTPRequestHead, context: ChannelHandlerContext) -> State {
        let contentType = head.headers.first(name: "content-type")?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let type: BodyType? =
            mediaType == "application/x-protobuf" || mediaType == "application/protobuf"
            ? .protobuf
            : mediaType == "application/json" ? .json : nil
        if let token = limits.token, !token.accepts(authorization: head.headers.first(name: "authorization")) {
            ingest.channel.count { $0.unauthorizedRequests += 1 }
            var a = error(
                .unauthorized, type, 16,
                "missing or wrong bearer token: send Authorization: Bearer <token>, the token tracetui listen was given (--auth-token or TRACETUI_AUTH_TOKEN)"
            )
            a.headers.append(("WWW-Authenticate", "Bearer"))
            return .discarding(head: head, answer: a)
        }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == "/v1/traces" || path == "/v1/traces/" else {
            return .discarding(
                head: head,
                answer: error(
                    .notFound, type, 5, "no such endpoint \(path): tracetui takes OTLP traces at POST /v1/traces"))
        }
        guard head.method == .POST else {
            var a = error(.methodNotAllowed, type, 12, "use POST for /v1/traces")
            a.headers.append(("Allow", "POST"))
            return .discarding(head: head, answer: a)
        }
        guard let bodyType = type else {
            ingest.channel.count { $0.badRequests += 1 }
            return .discarding(
                head: head,
                answer: error(
                    .unsupportedMediaType, nil, 3,
                    "unsupported content type \"\(contentType)\": send application/x-protobuf or application/json"))
        }
        let encoding =
            head.headers.first(name: "content-encoding")?.lowercased().trimmingCharacters(in: .whitespaces) ?? ""
        let gzip: Bool
        switch encoding {
        case "", "identity": gzip = false
        case "gzip", "x-gzip", "deflate": gzip = true
        default:
            ingest.channel.count { $0.badRequests += 1 }
            return .discarding(
                head: head,
                answer: error(
                    .unsupportedMediaType, bodyType, 3,
                    "unsupported content encoding \"\(encoding)\": send gzip or no encoding"))
        }
        if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), length > maxBody {
            ingest.channel.count { $0.badRequests += 1 }
            send(
                tooLarge(bodyType, "request body of \(length) bytes is over \(maxBody) bytes"), head: head, close: true,
                context: context)
            return .closing
        }
        return .receiving(head: head, type: bodyType, gzip: gzip, body: context.channel.allocator.buffer(capacity: 0))
    }

    func handle(body: ByteBuffer, type: BodyType, gzip: Bool) -> Answer {
        var bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        if gzip {
            do { bytes = try Gzip.inflate(bytes, limit: maxBody) } catch let e as GzipError {
                ingest.channel.count { $0.badRequests += 1 }
                if e.exceedsLimit { return tooLarge(type, "request body inflates to more than \(maxBody) bytes") }
                return error(.badRequest, type, 3, "cannot decompress the body: \(e.message)")
            } catch let other {
                return error(.badRequest, type, 3, "cannot decompress the body: \(other)")
            }
        }
        let origin = type == .protobuf ? "otlp/http" : "otlp/http-json"
        let decoded =
            type == .protobuf
            ? bytes.withUnsafeBytes { ingest.decodeProtobuf($0, origin: origin) }
            : ingest.decodeJSON(bytes, origin: origin)
        switch ingest.deliver(decoded) {
        case .accepted(let r):
            let response = OTLPIngest.response(r)
            let body: [UInt8] =
                type == .protobuf
                ? ((try? response.serializedBytes()) ?? [])
                : ((try? response.jsonUTF8Bytes()) ?? Array("{}".utf8))
            return Answer(status: .ok, type: type, body: body)
        case .invalid(let message):
            return error(.badRequest, type, 3, "cannot decode the request: \(message)")
        case .overloaded(let seconds):
            return busy(type, "tracetui is busy storing earlier spans", retryAfter: seconds)
        }
    }

    /// 503 with `Retry-After`: every OTLP exporter retries it.
    private func busy(_ type: BodyType?, _ reason: String, retryAfter seconds: Int = 1) -> Answer {
        var a = error(.serviceUnavailable, type, 14, "\(reason); retry in \(seconds)s")
        a.headers.append(("Retry-After", String(seconds)))
        return a
    }

    private func tooLarge(_ type: BodyType?, _ message: String) -> Answer {
        error(.payloadTooLarge, type, 8, message)
    }

    /// An error answer with a `google.rpc.Status` body in the request's content type (plain text when
    /// the content type is unknown).
    private func error(_ status: HTTPResponseStatus, _ type: BodyType?, _ code: Int32, _ message: String) -> Answer {
        var s = Google_Rpc_Status()
        s.code = code
        s.message = message
        switch type {
        case .protobuf: return Answer(status: status, type: .protobuf, body: (try? s.serializedBytes()) ?? [])
        case .json: return Answer(status: status, type: .json, body: (try? s.jsonUTF8Bytes()) ?? [])
        case nil: return Answer(status: status, type: nil, body: Array((message + "\n").utf8))
        }
    }

    private func send(_ answer: Answer, head: HTTPRequestHead, close: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        switch answer.type {
        case .protobuf: headers.add(name: "Content-Type", value: "application/x-protobuf")
        case .json: headers.add(name: "Content-Type", value: "application/json")
        case nil: headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        }
        headers.add(name: "Content-Length", value: String(answer.body.count))
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        if close { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: answer.status, headers: headers))),
            promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: answer.body.count)
        buffer.writeBytes(answer.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlushPromise()
        // Before the end goes out: writing it may hand the next pipelined request in at once.
        context.triggerUserOutboundEvent(RequestPhase.answered, promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if close {
            // Completed on the context's own event loop, where the context may be used.
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise() -> EventLoopPromise<Void> { eventLoop.makePromise() }
}

/// The OTLP/HTTP listener: a SwiftNIO server on its own event-loop threads.
public final class OTLPHTTPServer {
    private let group: MultiThreadedEventLoopGroup
    private var channel: Channel?
    /// The address actually bound (the port is known when 0 was asked for).
    public private(set) var boundPort = 0

    public init(threads: Int = 2) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }

    /// Binds and starts serving (over TLS when `tls` is given); throws a `SourceError` with a clear
    /// message when the port is taken.
    public func start(
        host: String, port: Int, ingest: OTLPIngest, limits: OTLPHTTPLimits = OTLPHTTPLimits(),
        tls: ReceiverTLS? = nil
    ) throws {
        let sslContext = try tls?.httpContext()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext { try pipeline.addHandler(NIOSSLServerHandler(context: sslContext)) }
                    try pipeline.addHandler(RequestDeadlineHandler(timeouts: limits.timeouts, counters: ingest.channel))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(OTLPHTTPHandler(ingest: ingest, limits: limits))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
        do {
            let ch = try bootstrap.bind(host: host, port: port).wait()
            channel = ch
            boundPort = ch.localAddress?.port ?? port
        } catch let e as IOError where e.errnoCode == EADDRINUSE {
            throw SourceError(
                "cannot listen for OTLP/HTTP on \(formatHostPort(host, port)): the address is already in use (another collector or tracetui?); pick another with --http ADDR:PORT or turn HTTP off with --no-http"
            )
        } catch {
            throw SourceError("cannot listen for OTLP/HTTP on \(formatHostPort(host, port)): \(error)")
        }
    }

    private var stopped = false

    /// Stops listening and ends the event-loop threads; once only.
    public func stop() {
        if stopped { return }
        stopped = true
        try? channel?.close().wait()
        channel = nil
        try? group.syncShutdownGracefully()
    }
}

func formatHostPort(_ host: String, _ port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}
