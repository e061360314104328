import Foundation
import NIOCore
import OTLPProto
import SwiftProtobuf
import Synchronization
import TraceModel
import XCTest

@testable import TraceSources

/// A blocking TCP client over loopback that sends raw bytes and reads raw answers, for faults no
/// well-behaved HTTP client makes (trickled heads, bodies cut off, a thousand sockets at once).
final class RawClient {
    let fd: Int32

    init(port: Int, readTimeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var timeout = timeval(tv_sec: Int(readTimeout), tv_usec: Int((readTimeout - floor(readTimeout)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
    }

    deinit { close(fd) }

    /// False once the server has closed the connection (no SIGPIPE).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = Glibc.send(fd, buf.baseAddress! + done, buf.count - done, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }

    /// Whether an answer (or the end) is there to read.
    var hasAnswer: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    /// Sends `bytes` one at a time, `pause` apart, until the server answers or closes.
    func trickle(_ bytes: ArraySlice<UInt8>, pause: useconds_t = 50_000) {
        for byte in bytes {
            if hasAnswer || !send([byte]) { return }
            usleep(pause)
        }
    }

    /// Everything until the server closes (or the read timeout passes: `closed` false).
    func readToEnd() -> (bytes: [UInt8], closed: Bool) {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return (out, true) }
            if n < 0 { return (out, errno == ECONNRESET) }
            out += chunk[..<n]
        }
    }

    /// One whole response (head and `Content-Length` body): its status, or nil if none came.
    func readResponse() -> Int? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let status = Self.completeResponse(out) { return status }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            out += chunk[..<n]
        }
    }

    static func completeResponse(_ bytes: [UInt8]) -> Int? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<end.lowerBound]
        let length =
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        guard text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length else {
            return nil
        }
        return Int(head.split(separator: " ")[1])
    }
}

/// The OTLP/HTTP receiver on a real socket, with a live session behind it, under faults: every test
/// ends by showing where each span went (`SpanAccounting`), and checks the figures exactly.
final class ReceiverFaultTests: XCTestCase {
    var session: LiveSession!
    var server: OTLPHTTPServer!
    var budget: BodyBudget!

    func startServer(
        capacity: Int = 1_000_000, timeouts: HTTPTimeouts = HTTPTimeouts(), startSession: Bool = true,
        threads: Int = 2
    ) throws -> Int {
        session = try LiveSession(maxSpans: 1_000_000, channel: IngestChannel(capacity: capacity))
        if startSession { session.start() }
        budget = BodyBudget(limit: 1 << 20)
        server = OTLPHTTPServer(threads: threads)
        try server.start(
            host: "127.0.0.1", port: 0, ingest: OTLPIngest(channel: session.channel),
            limits: OTLPHTTPLimits(maxBodyBytes: 100_000, timeouts: timeouts, bodyBudget: budget))
        return server.boundPort
    }

    override func tearDown() {
        server?.stop()
        session?.stop()
    }

    /// Stops the server and the session (so nothing waits) and shows the accounting.
    func settledAccounting() -> SpanAccounting {
        server.stop()
        session.stop()
        let accounting = session.currentStatus.accounting
        print("accounting: spans \(accounting.equation)")
        XCTAssertTrue(accounting.holds, accounting.equation)
        return accounting
    }

    func export(spans: Int, trace: Int = 1, first: Int = 0) throws -> (head: [UInt8], body: [UInt8]) {
        let body: [UInt8] = try pbRequest(
            spans: (0..<spans).map {
                pbSpan(trace: String(format: "%032x", trace), span: String(format: "%016x", first + $0 + 1), name: "s")
            }
        ).serializedBytes()
        let head =
            "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: \(body.count)\r\n\r\n"
        return (Array(head.utf8), body)
    }

    func exportRequest(spans: Int, trace: Int = 1, first: Int = 0) throws -> [UInt8] {
        let (head, body) = try export(spans: spans, trace: trace, first: first)
        return head + body
    }

    func testHoldsAThousandConnectionsAndAnswersOnEach() throws {
        XCTAssertGreaterThanOrEqual(raiseOpenFileLimit(), 2_100, "a client and a server descriptor per connection")
        let port = try startServer()
        let clients = try (0..<1_000).map { _ in try RawClient(port: port) }
        // All open at once; each one now sends a request and is answered, and stays open.
        for (n, client) in clients.enumerated() {
            XCTAssertTrue(client.send(try exportRequest(spans: 1, trace: n + 1)))
        }
        let statuses = clients.map { $0.readResponse() }
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 1_000)
        for (n, client) in clients.enumerated().prefix(10) {
            XCTAssertTrue(client.send(try exportRequest(spans: 1, trace: n + 1, first: 1)))
            XCTAssertEqual(client.readResponse(), 200, "connection \(n) still served")
        }
        XCTAssertEqual(settledAccounting(), SpanAccounting(received: 1_010, stored: 1_010))
    }

    func testSlowLorisHeadsAndBodiesAreCutOffAtTheirDeadlines() throws {
        let port = try startServer(timeouts: HTTPTimeouts(head: .milliseconds(400), body: .milliseconds(400)))
        let (head, body) = try export(spans: 2)
        // A head trickled a byte every 50 ms: the deadline runs from its first byte.
        let slowHead = try RawClient(port: port)
        var started = Date()
        slowHead.trickle(head[...])
        var (answer, closed) = slowHead.readToEnd()
        let headCut = Date().timeIntervalSince(started)
        XCTAssertTrue(closed)
        XCTAssertTrue(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        XCTAssertGreaterThanOrEqual(headCut, 0.4)
        XCTAssertLessThan(headCut, 1.5)
        // A whole head, then a body trickled.
        let slowBody = try RawClient(port: port)
        XCTAssertTrue(slowBody.send(head))
        started = Date()
        slowBody.trickle(body[...])
        (answer, closed) = slowBody.readToEnd()
        let bodyCut = Date().timeIntervalSince(started)
        XCTAssertTrue(closed)
        XCTAssertTrue(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        XCTAssertGreaterThanOrEqual(bodyCut, 0.4)
        XCTAssertLessThan(bodyCut, 1.5)
        print("slow loris: head cut after \(headCut) s, body after \(bodyCut) s")
        XCTAssertEqual(budget.inUse, 0, "the trickled body is let go")
        // The server still serves.
        let good = try RawClient(port: port)
        good.send(head + body)
        XCTAssertEqual(good.readResponse(), 200)
        XCTAssertEqual(session.channel.snapshot.timedOutRequests, 2)
        XCTAssertEqual(settledAccounting(), SpanAccounting(received: 2, stored: 2))
    }

    func testAnIdleConnectionIsClosedQuietly() throws {
        let port = try startServer(timeouts: HTTPTimeouts(idle: .milliseconds(300)))
        let idle = try RawClient(port: port)
        let started = Date()
        let (answer, closed) = idle.readToEnd()
        XCTAssertTrue(closed)
        XCTAssertEqual(answer, [])
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertEqual(session.channel.snapshot.timedOutRequests, 0)
        XCTAssertEqual(settledAccounting(), SpanAccounting())
    }

    func testAClientGoneMidBodyStoresNothingAndTheServerGoesOn() throws {
        let port = try startServer()
        let request = try exportRequest(spans: 3)
        for _ in 0..<5 {
            let client = try RawClient(port: port)
            client.send(Array(request.prefix(request.count - 10)))
        }
        let deadline = Date().addingTimeInterval(5)
        while session.channel.snapshot.abandonedRequests < 5 && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(session.channel.snapshot.abandonedRequests, 5)
        XCTAssertEqual(budget.inUse, 0)
        let good = try RawClient(port: port)
        good.send(request)
        XCTAssertEqual(good.readResponse(), 200)
        XCTAssertEqual(settledAccounting(), SpanAccounting(received: 3, stored: 3))
    }

    func testABodyOverTheLimitIsRefusedBeforeItIsSent() throws {
        let port = try startServer()
        let client = try RawClient(port: port)
        client.send(
            Array(
                "POST /v1/traces HTTP/1.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 200000\r\n\r\n"
                    .utf8))
        XCTAssertEqual(client.readResponse(), 413, "answered on the head alone")
        XCTAssertTrue(client.readToEnd().closed)
        XCTAssertEqual(session.channel.snapshot.badRequests, 1)
        XCTAssertEqual(settledAccounting(), SpanAccounting())
    }

    func testABurstFarAboveCapacityIs503NeverAQueue() throws {
        // Nothing drains: the channel takes 10 spans (5 requests of 2), the other 35 requests are refused.
        let port = try startServer(capacity: 10, startSession: false, threads: 4)
        let requests = try (0..<40).map { try exportRequest(spans: 2, trace: $0 + 1) }
        let statuses = Mutex([Int?](repeating: nil, count: 40))
        DispatchQueue.concurrentPerform(iterations: 40) { n in
            guard let client = try? RawClient(port: port) else { return }
            client.send(requests[n])
            let status = client.readResponse()
            statuses.withLock { $0[n] = status }
        }
        let got = statuses.withLock { $0 }
        XCTAssertEqual(got.filter { $0 == 200 }.count, 5)
        XCTAssertEqual(got.filter { $0 == 503 }.count, 35)
        XCTAssertEqual(session.currentStatus.accounting, SpanAccounting(received: 80, refused: 70, waiting: 10))
        // The store catches up; the clients retry what was refused, and it is taken.
        // (A retry may be refused again while the store catches up: counted, and sent once more.)
        session.start()
        var refusedAgain = 0
        for (n, status) in got.enumerated() where status == 503 {
            let client = try RawClient(port: port)
            client.send(requests[n])
            var answer = client.readResponse()
            while answer == 503 {
                refusedAgain += 1
                usleep(20_000)
                client.send(requests[n])
                answer = client.readResponse()
            }
            XCTAssertEqual(answer, 200)
        }
        XCTAssertEqual(
            settledAccounting(),
            SpanAccounting(received: 150 + 2 * refusedAgain, stored: 80, refused: 70 + 2 * refusedAgain))
    }
}
