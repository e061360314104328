/// Why talking to a store failed, as one line a user can act on. No message holds a header value,
/// a password or a query string: only the store's `displayURL` and what the store itself said.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The settings are wrong before anything is sent (a bad URL, header or timeout).
    case settings(String)
    case timedOut(store: String, seconds: Double)
    case refused(store: String)
    case unreachable(store: String, reason: String)
    /// The connection closed before the answer was whole.
    case dropped(store: String)
    case tls(store: String, reason: String)
    /// 401 or 403.
    case unauthorized(store: String, status: Int, said: String)
    case notFound(store: String, what: String, said: String)
    /// Another status the store answered with (400 with its error object, 500, 502…).
    case status(store: String, status: Int, said: String)
    case redirected(store: String, to: String)
    case tooLarge(store: String, limitBytes: Int)
    /// The answer is not what the API writes.
    case unreadable(store: String, reason: String)

    public var description: String {
        switch self {
        case .settings(let text): return text
        case .timedOut(let store, let seconds):
            return "\(store): no answer within \(Self.seconds(seconds)) s (raise it with --timeout)"
        case .refused(let store): return "\(store): connection refused (is the store running, on that port?)"
        case .unreachable(let store, let reason): return "\(store): cannot connect: \(reason)"
        case .dropped(let store): return "\(store): the connection closed before the answer was complete"
        case .tls(let store, let reason): return "\(store): TLS failed: \(reason)"
        case .unauthorized(let store, let status, let said):
            return "\(store): HTTP \(status) \(status == 401 ? "unauthorized" : "forbidden")"
                + Self.saying(said) + " (give credentials with --header or --user)"
        case .notFound(let store, let what, let said):
            // "trace not found" after "trace … not found" says nothing new.
            return "\(store): \(what) not found" + (said.lowercased().hasSuffix("not found") ? "" : Self.saying(said))
        case .status(let store, let status, let said): return "\(store): HTTP \(status)" + Self.saying(said)
        case .redirected(let store, let to): return "\(store): redirected to \(to); use that URL"
        case .tooLarge(let store, let limit): return "\(store): the answer is larger than \(limit >> 20) MB"
        case .unreadable(let store, let reason): return "\(store): unexpected answer: \(reason)"
        }
    }

    private static func saying(_ said: String) -> String { said.isEmpty ? "" : ": " + said }

    private static func seconds(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(s)
    }
}
