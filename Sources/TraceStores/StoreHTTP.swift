import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One answer of a store: its status and its whole body, as the client collected it.
public struct StoreAnswer: Sendable {
    public var status: Int
    public var body: ByteBuffer
    /// The `Location` of a redirect.
    public var location: String?
    public var text: String { String(buffer: body) }
}

/// GET requests to one store over async-http-client: the connection's headers and basic auth on
/// every request, the system's CA store (or none with `--insecure`), answers inflated when the store
/// gzips them, a deadline on the whole exchange, and every failure turned into one `StoreError`.
/// Redirects are not followed: headers carrying credentials must not travel to another host unasked.
public final class StoreHTTP: Sendable {
    public let connection: StoreConnection
    private let client: HTTPClient
    /// Answers larger than this are refused (Tempo's own default maximum trace is 50 MB).
    public static let maxBodyBytes = 1 << 30

    public init(_ connection: StoreConnection) {
        self.connection = connection
        var tls = TLSConfiguration.makeClientConfiguration()
        if connection.insecure { tls.certificateVerification = .none }
        let seconds = TimeAmount.nanoseconds(Int64(connection.timeoutSeconds * 1e9))
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: seconds, read: seconds),
            decompression: .enabled(limit: .size(Self.maxBodyBytes)))
        // A refused connection or a failed TLS handshake is an answer to report at once, not to retry
        // until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the connections; call once, when done.
    public func shutdown() async { try? await client.shutdown() }

    /// GETs `path` (below the base URL) with `query` percent-encoded.
    public func get(_ path: String, query: [(String, String)] = []) async throws(StoreError) -> StoreAnswer {
        var url = connection.baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Accept-Encoding", value: "gzip, deflate")
        request.headers.add(name: "User-Agent", value: "tracetui")
        if let auth = connection.basicAuth {
            let token = Data((auth.user + ":" + auth.password).utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic " + token)
        }
        for header in connection.headers { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        let deadline = NIODeadline.now() + .nanoseconds(Int64(connection.timeoutSeconds * 1e9))
        let client = self.client
        let sent = request
        do {
            return try await withThrowingTaskGroup(of: StoreAnswer?.self) { group in
                group.addTask {
                    let response = try await client.execute(sent, deadline: deadline)
                    let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                    return StoreAnswer(
                        status: Int(response.status.code), body: body,
                        location: response.headers.first(name: "Location"))
                }
                // The client's deadline covers the answer's head; this one covers its body too.
                group.addTask {
                    try await Task.sleep(
                        nanoseconds: UInt64(max(0, deadline.uptimeNanoseconds - NIODeadline.now().uptimeNanoseconds)))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else {
                    throw HTTPClientError.deadlineExceeded
                }
                return answer
            }
        } catch {
            throw classify(error)
        }
    }

    private func classify(_ error: any Error) -> StoreError {
        let store = connection.description
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                return .timedOut(store: store, seconds: connection.timeoutSeconds)
            case .remoteConnectionClosed:
                return .dropped(store: store)
            default: break
            }
        }
        if error is NIOTooManyBytesError { return .tooLarge(store: store, limitBytes: Self.maxBodyBytes) }
        if let e = error as? NIOSSLError { return .tls(store: store, reason: Self.tlsReason(e)) }
        if error is BoringSSLError { return .tls(store: store, reason: Self.short("\(error)")) }
        let text = "\(error)"
        if text.contains("ECONNREFUSED") || text.lowercased().contains("connection refused") {
            return .refused(store: store)
        }
        if let e = error as? NIOConnectionError, e.dnsAError != nil || e.dnsAAAAError != nil, e.connectionErrors.isEmpty
        {
            return .unreachable(store: store, reason: "the host name does not resolve")
        }
        if text.contains("CERTIFICATE") || text.contains("handshake") {
            return .tls(store: store, reason: Self.short(text))
        }
        return .unreachable(store: store, reason: Self.short(text))
    }

    private static func tlsReason(_ e: NIOSSLError) -> String {
        let text = "\(e)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return
                "the server's certificate is not trusted by the system's CA store (a self-signed test setup needs --insecure)"
        }
        if text.contains("WRONG_VERSION_NUMBER") { return "the server does not speak TLS on that port (use http://)" }
        return short(text)
    }

    private static func short(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// Percent-encodes a query component: everything but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
