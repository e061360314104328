import Foundation
import TraceModel

/// Where a store is and how to reach it: the URL (its credentials taken out), headers, basic auth,
/// the timeout and TLS checking. Secrets stay in here: `description` and every error name the store
/// by `displayURL`, which has no user, password, query or header value.
public struct StoreConnection: Sendable, CustomStringConvertible {
    public let kind: StoreKind
    /// scheme://host[:port][/base path], without a trailing slash or credentials.
    public let baseURL: String
    public let headers: [(name: String, value: String)]
    public let basicAuth: (user: String, password: String)?
    public let timeoutSeconds: Double
    /// Accept any certificate (self-signed test setups); otherwise the system's CA store decides.
    public let insecure: Bool

    public var displayURL: String { baseURL }
    public var description: String { "\(kind.title) at \(displayURL)" }

    /// Builds a connection from what the user gave; throws a `StoreError.settings` naming what is wrong.
    /// - Parameters:
    ///   - url: the store's base URL; `user:password@` in it is basic auth.
    ///   - headers: `Name: value` lines (`--header`), after those of `TRACETUI_HEADERS`.
    ///   - user: `user:password` (`--user`); wins over the URL's.
    public init(
        kind: StoreKind, url: String, headers: [String] = [], user: String? = nil, timeoutSeconds: Double = 30,
        insecure: Bool = false, environment: [String: String] = [:]
    ) throws {
        self.kind = kind
        self.timeoutSeconds = timeoutSeconds
        self.insecure = insecure
        guard timeoutSeconds > 0 else { throw StoreError.settings("the timeout must be more than 0 seconds") }
        var text = url.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = "http://" + text }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty
        else {
            throw StoreError.settings("\(kind.title) URL \"\(Self.withoutCredentials(url))\" is not an http(s) URL")
        }
        var base = scheme + "://" + (host.contains(":") ? "[\(host)]" : host)
        if let port = parts.port { base += ":\(port)" }
        base +=
            parts.percentEncodedPath.hasSuffix("/")
            ? String(parts.percentEncodedPath.dropLast()) : parts.percentEncodedPath
        baseURL = base
        if let user {
            let pair = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            basicAuth = (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
        } else if let name = parts.user {
            basicAuth = (name.removingPercentEncoding ?? name, (parts.password ?? "").removingPercentEncoding ?? "")
        } else {
            basicAuth = nil
        }
        var all: [(String, String)] = []
        if let fromEnvironment = environment["TRACETUI_HEADERS"] {
            all += try Self.parseEnvironmentHeaders(fromEnvironment)
        }
        for line in headers { all.append(try Self.parseHeader(line)) }
        self.headers = all
    }

    /// `Name: value`, as curl's `-H` takes it.
    static func parseHeader(_ line: String) throws -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else {
            throw StoreError.settings("header \"\(Self.headerName(line))\" has no ':' (write it as 'Name: value')")
        }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard Self.isToken(name) else {
            throw StoreError.settings("header name \"\(name.prefix(40))\" is not a valid HTTP header name")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f }) else {
            throw StoreError.settings("the value of header \(name) holds a control character")
        }
        return (name, value)
    }

    /// `TRACETUI_HEADERS`: `Name=value` pairs separated by commas, values percent-encoded where they
    /// need to be, as OpenTelemetry's `OTEL_EXPORTER_OTLP_HEADERS`; `Name: value` is taken too.
    static func parseEnvironmentHeaders(_ text: String) throws -> [(String, String)] {
        try text.split(separator: ",").compactMap { item in
            let entry = item.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { return nil }
            let equals = entry.firstIndex(of: "=")
            let colon = entry.firstIndex(of: ":")
            guard let cut = [equals, colon].compactMap({ $0 }).min() else {
                throw StoreError.settings(
                    "TRACETUI_HEADERS entry \"\(Self.headerName(entry))\" has no '=' (write Name=value)")
            }
            let name = String(entry[..<cut]).trimmingCharacters(in: .whitespaces)
            let raw = String(entry[entry.index(after: cut)...]).trimmingCharacters(in: .whitespaces)
            return try parseHeader(name + ": " + (raw.removingPercentEncoding ?? raw))
        }
    }

    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                    || "!#$%&'*+-.^_`|~".utf8.contains(c)
            }
    }

    /// What may be shown of a header line that is wrong: its first word, at most 40 characters. A line
    /// without its ':' may be `Authorization Bearer <token>`: the rest is never echoed.
    private static func headerName(_ text: String) -> String {
        String(text.split(whereSeparator: { $0 == ":" || $0 == "=" || $0.isWhitespace }).first?.prefix(40) ?? "")
    }

    /// A URL as it may be shown: no `user:password@`.
    public static func withoutCredentials(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let slashes = url.range(of: "://"), slashes.upperBound < at else {
            return url
        }
        let hostStart = url.index(after: at)
        if let pathStart = url[slashes.upperBound...].firstIndex(of: "/"), pathStart < at { return url }
        return String(url[..<slashes.upperBound]) + String(url[hostStart...])
    }
}
