import NIOCore
import Synchronization

/// How long an OTLP/HTTP client may take, so a slow or stalled one cannot hold a connection, and the
/// buffers behind it, for ever. A slow-loris client trickling a byte at a time resets no timer: the
/// head and body deadlines run from the start of each part, not from the last byte.
public struct HTTPTimeouts: Sendable {
    /// From the first byte of a request to the end of its head.
    public var head: TimeAmount
    /// From the end of the head to the end of the body.
    public var body: TimeAmount
    /// A connection with no request in progress (kept alive, or never used) is closed after this.
    public var idle: TimeAmount

    public init(head: TimeAmount = .seconds(10), body: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(120)) {
        self.head = head
        self.body = body
        self.idle = idle
    }
}

/// Where a request stands, told by `OTLPHTTPHandler` to the `RequestDeadlineHandler` in front of
/// the HTTP codec (an outbound user event, which the codec passes on).
enum RequestPhase {
    case headReceived, bodyReceived, answered
}

/// Told by `RequestDeadlineHandler` to the handlers behind it before it closes a connection that
/// took too long, so the request cut short is not also counted as abandoned by its client.
struct RequestTimedOut {}

/// Closes a connection whose request head or body is late (answering 408 first) or which stays
/// idle too long. Sits in front of the HTTP codec (behind TLS), where it sees the first byte of
/// each request; `OTLPHTTPHandler` tells it when the head and the body are complete.
final class RequestDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = Any
    typealias OutboundOut = ByteBuffer

    private enum Phase { case idle, head, body, answering }

    private let timeouts: HTTPTimeouts
    private let counters: IngestChannel
    private var phase = Phase.idle
    private var timer: Scheduled<Void>?

    init(timeouts: HTTPTimeouts, counters: IngestChannel) {
        self.timeouts = timeouts
        self.counters = counters
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(.idle, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(.idle, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .idle { arm(.head, context: context) }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let step = event as? RequestPhase else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch step {
        case .headReceived: arm(.body, context: context)
        case .bodyReceived: arm(.answering, context: context)
        case .answered: arm(.idle, context: context)
        }
        promise?.succeed()
    }

    /// Enters `next` and starts its deadline (none while answering: that is our own work).
    private func arm(_ next: Phase, context: ChannelHandlerContext) {
        phase = next
        timer?.cancel()
        timer = nil
        let limit: TimeAmount
        switch next {
        case .idle: limit = timeouts.idle
        case .head: limit = timeouts.head
        case .body: limit = timeouts.body
        case .answering: return
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { [self] in expire(context: context) }
    }

    private func expire(context: ChannelHandlerContext) {
        timer = nil
        guard phase == .head || phase == .body else {
            context.close(promise: nil)
            return
        }
        counters.count { $0.timedOutRequests += 1 }
        context.fireUserInboundEventTriggered(RequestTimedOut())
        let text = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        let closeAfterWrite = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { _ in
            closeAfterWrite.value.close(promise: nil)
        }
    }
}

/// The request-body bytes all connections of one server may hold at once, so many large or slow
/// bodies together cannot exhaust memory: a request that would pass it is answered 503 (retry).
public final class BodyBudget: Sendable {
    public let limit: Int
    private let held = Atomic<Int>(0)

    public init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget; false (and nothing taken) when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while current + bytes <= limit {
            let (exchanged, original) = held.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release(_ bytes: Int) { held.subtract(bytes, ordering: .relaxed) }

    /// Bytes held now.
    public var inUse: Int { held.load(ordering: .relaxed) }
}
