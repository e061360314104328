import GRPCNIOTransportHTTP2Posix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `--auth-token` both receivers ask for as `Authorization: Bearer TOKEN`. Never printed: its
/// description is a placeholder, and it is compared in constant time.
public struct BearerToken: Sendable, CustomStringConvertible, CustomReflectable {
    private let expected: [UInt8]

    /// Nil for an empty token: an empty secret would protect nothing.
    public init?(_ token: String) {
        guard !token.isEmpty else { return nil }
        expected = Array("Bearer \(token)".utf8)
    }

    public var description: String { "BearerToken(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Whether an `Authorization` header value carries the token. Takes the same time whatever the
    /// value, up to its length, so the token cannot be guessed byte by byte.
    public func accepts(authorization value: String?) -> Bool {
        let given = Array((value ?? "").utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in expected.indices {
            difference |= expected[i] ^ (i < given.count ? given[i] : 0)
        }
        return difference == 0
    }
}

/// `--tls-cert` and `--tls-key`, loaded once (so a bad file is said before anything listens) and
/// handed to both receivers.
public struct ReceiverTLS: Sendable {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey

    public init(certificatePath: String, keyPath: String) throws {
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw SourceError("cannot read the TLS certificate \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else {
            throw SourceError("cannot read the TLS certificate \(certificatePath): no PEM certificate in it")
        }
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw SourceError("cannot read the TLS private key \(keyPath): \(error)")
        }
    }

    /// The HTTP/1.1 receiver's server context.
    func httpContext() throws -> NIOSSLContext {
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        config.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: config)
    }

    /// The gRPC transport's security: the same certificate and key.
    func grpcSecurity() throws -> HTTP2ServerTransport.Posix.TransportSecurity {
        .tls(
            certificateChain: try chain.map { .bytes(try $0.toDERBytes(), format: .der) },
            privateKey: .bytes(try key.derBytes, format: .der))
    }
}

/// Raises the soft limit of open descriptors to the hard limit (each connection holds one; the
/// usual soft limit of 1,024 would cap a receiver well below what it can serve). Returns the soft
/// limit in force afterwards.
@discardableResult
public func raiseOpenFileLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(resourceLimitNoFile, &limit) == 0 else { return -1 }
    if limit.rlim_cur < limit.rlim_max {
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(resourceLimitNoFile, &raised) == 0 { limit = raised }
    }
    return Int(clamping: limit.rlim_cur)
}

#if canImport(Glibc)
    private let resourceLimitNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#else
    private let resourceLimitNoFile = RLIMIT_NOFILE
#endif

/// Whether `host` is a loopback address (the only ones safe to serve without `--auth-token`).
public func isLoopback(host: String) -> Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
}
