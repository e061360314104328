import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OTLPProto
import SwiftProtobuf
import TraceFormats
import TraceModel
import XCTest

@testable import TraceSources

/// The OTLP/HTTP receiver in an `EmbeddedChannel` with NIO's real HTTP/1 codec: raw request bytes
/// in (split across reads), raw response bytes out.
final class HTTPReceiverTests: XCTestCase {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func makeChannel(
        capacity: Int = 1_000_000, maxBody: Int = otlpMaxBodyBytes, budget: BodyBudget = BodyBudget(limit: 256 << 20),
        token: String? = nil
    ) throws -> (EmbeddedChannel, IngestChannel) {
        let ingest = IngestChannel(capacity: capacity)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        let limits = OTLPHTTPLimits(maxBodyBytes: maxBody, bodyBudget: budget, token: token.flatMap(BearerToken.init))
        try channel.pipeline.syncOperations.addHandler(
            OTLPHTTPHandler(ingest: OTLPIngest(channel: ingest), limits: limits))
        return (channel, ingest)
    }

    func request(
        _ body: [UInt8], type: String = "application/x-protobuf", path: String = "/v1/traces", method: String = "POST",
        headers: [String] = [], contentLength: Bool = true
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: \(type)\r\n"
        if contentLength { head += "Content-Length: \(body.count)\r\n" }
        for h in headers { head += h + "\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// Writes `bytes` in pieces of `piece` bytes (1 = every byte its own read).
    func send(_ channel: EmbeddedChannel, _ bytes: [UInt8], piece: Int = .max) throws {
        var i = 0
        while i < bytes.count {
            let n = min(piece, bytes.count - i)
            var buffer = channel.allocator.buffer(capacity: n)
            buffer.writeBytes(bytes[i..<(i + n)])
            try channel.writeInbound(buffer)
            i += n
        }
    }

    func responses(_ channel: EmbeddedChannel) throws -> [Response] {
        var raw: [UInt8] = []
        while let part = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(var b) = part { raw += b.readBytes(length: b.readableBytes) ?? [] }
        }
        while let part = try channel.readOutbound(as: ByteBuffer.self) {
            var b = part
            raw += b.readBytes(length: b.readableBytes) ?? []
        }
        var out: [Response] = []
        var rest = raw[...]
        while let end = find(Array("\r\n\r\n".utf8), in: rest) {
            let head = String(decoding: rest[rest.startIndex..<end], as: UTF8.self).components(separatedBy: "\r\n")
            let status = Int(head[0].split(separator: " ")[1])!
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                let kv = line.split(separator: ":", maxSplits: 1)
                headers[kv[0].lowercased()] = kv[1].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0")!
            let bodyStart = end + 4
            out.append(Response(status: status, headers: headers, body: Array(rest[bodyStart..<(bodyStart + length)])))
            rest = rest[(bodyStart + length)...]
        }
        return out
    }

    func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard hay.count >= needle.count else { return nil }
        var i = hay.startIndex
        while i + needle.count <= hay.endIndex {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    func one(_ channel: EmbeddedChannel, file: StaticString = #filePath, line: UInt = #line) throws -> Response {
        let r = try responses(channel)
        XCTAssertEqual(r.count, 1, file: file, line: line)
        return try XCTUnwrap(r.first, file: file, line: line)
    }

    func protobufBody(spans: Int = 2) throws -> [UInt8] {
        try pbRequest(
            spans: (0..<spans).map { pbSpan(trace: traceA, span: String(format: "%016x", $0 + 1), name: "s\($0)") }
        ).serializedBytes()
    }

    func testProtobufSplitIntoOneByteReads() throws {
        let (channel, ingest) = try makeChannel()
        try send(channel, request(try protobufBody()), piece: 1)
        let r = try one(channel)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.headers["content-type"], "application/x-protobuf")
        XCTAssertEqual(try PBResponse(serializedBytes: r.body), PBResponse())
        let batches = ingest.drain(timeout: 0)
        XCTAssertEqual(batches.map(\.spanCount), [2])
        XCTAssertEqual(batches[0].store.sources, ["otlp/http"])
    }

    func testGzipBody() throws {
        let (channel, ingest) = try makeChannel()
        try send(channel, request(gzip(try protobufBody(spans: 3)), headers: ["Content-Encoding: gzip"]), piece: 7)
        XCTAssertEqual(try one(channel).status, 200)
        XCTAssertEqual(ingest.drain(timeout: 0).map(\.spanCount), [3])
    }

    func testChunkedBodyWithoutContentLength() throws {
        let (channel, ingest) = try makeChannel()
        let body = try protobufBody()
        let chunked =
            Array(String(body.count, radix: 16).utf8) + Array("\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8)
        try send(channel, request(chunked, headers: ["Transfer-Encoding: chunked"], contentLength: false), piece: 5)
        XCTAssertEqual(try one(channel).status, 200)
        XCTAssertEqual(ingest.drain(timeout: 0).map(\.spanCount), [2])
    }

    func testJSONAnsweredInJSON() throws {
        let (channel, ingest) = try makeChannel()
        let json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"j"}}]},"scopeSpans":[{"spans":[
            {"traceId":"\(traceA)","spanId":"00000000000000a1","name":"root","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}
            """
        try send(channel, request(Array(json.utf8), type: "application/json; charset=utf-8"), piece: 10)
        let r = try one(channel)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.headers["content-type"], "application/json")
        XCTAssertEqual(r.text, "{}")
        XCTAssertEqual(ingest.drain(timeout: 0).map(\.spanCount), [1])
    }

    func testPartialSuccessInBothContentTypes() throws {
        var (channel, _) = try makeChannel()
        var bad = pbSpan(trace: traceA, span: "00000000000000a1", name: "bad")
        bad.traceID = bytes(hex: "0102")
        let body: [UInt8] = try pbRequest(spans: [bad, pbSpan(trace: traceA, span: "00000000000000a2", name: "good")])
            .serializedBytes()
        try send(channel, request(body))
        var r = try one(channel)
        XCTAssertEqual(r.status, 200)
        let response = try PBResponse(serializedBytes: r.body)
        XCTAssertEqual(response.partialSuccess.rejectedSpans, 1)
        XCTAssertEqual(response.partialSuccess.errorMessage, "1 span(s) with a trace id of 2 bytes (expected 16)")

        (channel, _) = try makeChannel()
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"","spanId":"00000000000000a1","name":"x"}]}]}]}"#
        try send(channel, request(Array(json.utf8), type: "application/json"))
        r = try one(channel)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(
            r.text, #"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"1 span(s) without a valid trace id"}}"#)
    }

    func testGarbageProtobufIs400WithAStatusBody() throws {
        let (channel, ingest) = try makeChannel()
        try send(channel, request([0x0a, 0x05, 0x01]))
        let r = try one(channel)
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.headers["content-type"], "application/x-protobuf")
        let status = try Google_Rpc_Status(serializedBytes: r.body)
        XCTAssertEqual(status.code, 3)
        XCTAssertTrue(status.message.contains("runs past the end of the message"), status.message)
        XCTAssertEqual(ingest.snapshot.badRequests, 1)
        XCTAssertTrue(ingest.drain(timeout: 0).isEmpty)
    }

    func testInvalidJSONIs400InJSON() throws {
        let (channel, _) = try makeChannel()
        try send(
            channel,
            request(
                Array(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId": }]}]}]}"#.utf8), type: "application/json"
            ))
        let r = try one(channel)
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.headers["content-type"], "application/json")
        let status = try Google_Rpc_Status(jsonUTF8Bytes: r.body)
        XCTAssertEqual(status.code, 3)
        XCTAssertTrue(status.message.contains("line 1, column"), status.message)
    }

    func testEmptyRequests() throws {
        var (channel, _) = try makeChannel()
        try send(channel, request([]))
        XCTAssertEqual(try one(channel).status, 200, "an empty protobuf body is an empty ExportTraceServiceRequest")
        (channel, _) = try makeChannel()
        try send(channel, request([], type: "application/json"))
        XCTAssertEqual(try one(channel).status, 400, "an empty body is not JSON")
        (channel, _) = try makeChannel()
        try send(channel, request(Array("{}".utf8), type: "application/json"))
        XCTAssertEqual(try one(channel).status, 200)
    }

    func testWrongContentTypeAndEncodingAre415() throws {
        var (channel, _) = try makeChannel()
        try send(channel, request(Array("hello".utf8), type: "text/plain"))
        var r = try one(channel)
        XCTAssertEqual(r.status, 415)
        XCTAssertTrue(r.text.contains("send application/x-protobuf or application/json"), r.text)
        (channel, _) = try makeChannel()
        try send(channel, request(try protobufBody(), headers: ["Content-Encoding: br"]))
        r = try one(channel)
        XCTAssertEqual(r.status, 415)
        XCTAssertEqual(
            try Google_Rpc_Status(serializedBytes: r.body).message,
            "unsupported content encoding \"br\": send gzip or no encoding")
    }

    func testOversizeBodies() throws {
        // Announced too large: answered before the body is read, connection closed.
        var (channel, _) = try makeChannel(maxBody: 1000)
        // (The closed channel's HTTP decoder reports the unfinished body; that is expected here.)
        try? send(
            channel,
            Array(
                "POST /v1/traces HTTP/1.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 5000\r\n\r\n".utf8)
        )
        // The first answer is ours; NIO's codec may add one for the cut-off body on the closed connection.
        var r = try XCTUnwrap(try responses(channel).first)
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.headers["connection"], "close")
        XCTAssertFalse(channel.isActive)
        // Chunked, growing past the limit.
        (channel, _) = try makeChannel(maxBody: 1000)
        let chunk = [UInt8](repeating: 0x0a, count: 600)
        let chunked = Array("258\r\n".utf8) + chunk + Array("\r\n258\r\n".utf8) + chunk + Array("\r\n0\r\n\r\n".utf8)
        try? send(channel, request(chunked, headers: ["Transfer-Encoding: chunked"], contentLength: false), piece: 100)
        r = try XCTUnwrap(try responses(channel).first)
        XCTAssertEqual(r.status, 413)
        // Small on the wire, too large once inflated.
        (channel, _) = try makeChannel(maxBody: 1000)
        try send(channel, request(gzip([UInt8](repeating: 0, count: 5000)), headers: ["Content-Encoding: gzip"]))
        r = try one(channel)
        XCTAssertEqual(r.status, 413)
        XCTAssertTrue(
            try Google_Rpc_Status(serializedBytes: r.body).message.contains("inflates to more than 1000 bytes"))
    }

    func testOverloadIs503WithRetryAfter() throws {
        let (channel, ingest) = try makeChannel(capacity: 1)
        XCTAssertTrue(
            ingest.offer(
                IngestBatch(
                    store: try {
                        var s = SpanStore()
                        _ = try OTLPProtobuf.decode(try protobufBody(spans: 1), source: "x", into: &s)
                        return s
                    }())))
        try send(channel, request(try protobufBody()))
        let r = try one(channel)
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.headers["retry-after"], "1")
        XCTAssertEqual(try Google_Rpc_Status(serializedBytes: r.body).code, 14)
        XCTAssertEqual(ingest.snapshot.refusedRequests, 1)
        XCTAssertEqual(ingest.snapshot.refusedSpans, 2)
    }

    func testOtherPathsAndMethods() throws {
        let (channel, _) = try makeChannel()
        try send(
            channel, request(try protobufBody(), path: "/v1/metrics") + request([], method: "GET", contentLength: true))
        let r = try responses(channel)
        XCTAssertEqual(r.map(\.status), [404, 405])
        XCTAssertEqual(r[1].headers["allow"], "POST")
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let (channel, ingest) = try makeChannel()
        let one = request(try protobufBody(spans: 1))
        try send(channel, one + one + one, piece: 13)
        XCTAssertEqual(try responses(channel).map(\.status), [200, 200, 200])
        XCTAssertEqual(ingest.snapshot.receivedSpans, 3)
    }

    func testAChunkedBodyIsCutOffAsSoonAsItPassesTheLimit() throws {
        let (channel, ingest) = try makeChannel(maxBody: 1000)
        let chunk = [UInt8](repeating: 0x0a, count: 600)
        try send(channel, request([], headers: ["Transfer-Encoding: chunked"], contentLength: false))
        try send(channel, Array("258\r\n".utf8) + chunk + Array("\r\n".utf8))
        XCTAssertEqual(try responses(channel).count, 0, "600 bytes are within the limit")
        // The second chunk passes 1000 bytes: answered and closed there, the rest never read.
        try? send(channel, Array("258\r\n".utf8) + chunk + Array("\r\n".utf8))
        let r = try XCTUnwrap(try responses(channel).first)
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.headers["connection"], "close")
        XCTAssertFalse(channel.isActive)
        XCTAssertEqual(ingest.snapshot.badRequests, 1)
        XCTAssertTrue(ingest.drain(timeout: 0).isEmpty)
    }

    func testAClientGoneMidBodyLeavesNothingStoredOrHeld() throws {
        let budget = BodyBudget(limit: 1 << 20)
        let (channel, ingest) = try makeChannel(budget: budget)
        let body = try protobufBody(spans: 4)
        let whole = request(body)
        try send(channel, Array(whole[..<(whole.count - body.count / 2)]))
        XCTAssertGreaterThan(budget.inUse, 0)
        _ = try? channel.close().wait()
        XCTAssertEqual(ingest.snapshot.abandonedRequests, 1)
        XCTAssertEqual(ingest.snapshot.receivedSpans, 0)
        XCTAssertTrue(ingest.drain(timeout: 0).isEmpty)
        XCTAssertEqual(budget.inUse, 0, "the half body is let go")
    }

    func testBodiesPastTheSharedBudgetAre503WhileOthersComplete() throws {
        let budget = BodyBudget(limit: 1000)
        let (first, ingest) = try makeChannel(budget: budget)
        let (second, secondIngest) = try makeChannel(budget: budget)
        let body = [UInt8](repeating: 0, count: 800)
        let head = Array(
            "POST /v1/traces HTTP/1.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 800\r\n\r\n".utf8)
        try send(first, head + body[..<600])
        XCTAssertEqual(budget.inUse, 600)
        try? send(second, head + body[..<500])
        let refused = try XCTUnwrap(try responses(second).first)
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.headers["retry-after"], "1")
        XCTAssertEqual(
            try Google_Rpc_Status(serializedBytes: refused.body).message,
            "tracetui holds too many request bodies at once; retry in 1s")
        XCTAssertFalse(second.isActive)
        XCTAssertEqual(secondIngest.snapshot.refusedRequests, 1)
        // The first body still fits and completes (zero bytes of field 0 are an invalid message: 400).
        try send(first, Array(body[600...]))
        XCTAssertEqual(try one(first).status, 400)
        XCTAssertEqual(ingest.snapshot.refusedRequests, 0)
        XCTAssertEqual(budget.inUse, 0)
    }

    func testABearerTokenIsRequiredWhenSet() throws {
        let (channel, ingest) = try makeChannel(token: "s3cret-token")
        let body = try protobufBody(spans: 1)
        try send(
            channel,
            request(body) + request(body, headers: ["Authorization: Bearer s3cret-tokeN"])
                + request(body, headers: ["Authorization: Bearer s3cret-token"]))
        let r = try responses(channel)
        XCTAssertEqual(r.map(\.status), [401, 401, 200])
        XCTAssertEqual(r[0].headers["www-authenticate"], "Bearer")
        let status = try Google_Rpc_Status(serializedBytes: r[0].body)
        XCTAssertEqual(status.code, 16)
        XCTAssertEqual(
            status.message,
            "missing or wrong bearer token: send Authorization: Bearer <token>, the token tracetui listen was given (--auth-token or TRACETUI_AUTH_TOKEN)"
        )
        XCTAssertEqual(ingest.snapshot.unauthorizedRequests, 2)
        XCTAssertEqual(ingest.snapshot.receivedSpans, 1)
        XCTAssertEqual(ingest.drain(timeout: 0).map(\.spanCount), [1])
    }

    func testBearerTokenComparesWholeValuesAndIsNeverPrinted() throws {
        let token = try XCTUnwrap(BearerToken("abc"))
        XCTAssertTrue(token.accepts(authorization: "Bearer abc"))
        for wrong in [nil, "", "Bearer ab", "Bearer abcd", "Bearer abC", "bearer abc", "abc", "Bearer abc "] {
            XCTAssertFalse(token.accepts(authorization: wrong), wrong ?? "nil")
        }
        XCTAssertNil(BearerToken(""))
        XCTAssertFalse("\(token)".contains("abc"))
        XCTAssertFalse(String(reflecting: token).contains("abc"))
    }
}
