import ArgumentParser

/// `ADDR:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (loopback), as given to --grpc / --http.
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible, Equatable {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        var hostPart = "127.0.0.1"
        var portPart = argument
        if argument.hasPrefix("[") {
            guard let close = argument.firstIndex(of: "]") else { return nil }
            hostPart = String(argument[argument.index(after: argument.startIndex)..<close])
            let rest = argument[argument.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = String(rest.dropFirst())
        } else if let colon = argument.lastIndex(of: ":") {
            let h = String(argument[..<colon])
            if !h.isEmpty { hostPart = h }
            portPart = String(argument[argument.index(after: colon)...])
        }
        if hostPart == "localhost" { hostPart = "127.0.0.1" }
        guard let p = Int(portPart), (0...65535).contains(p), !hostPart.isEmpty else { return nil }
        host = hostPart
        port = p
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    var defaultValueDescription: String { description }
}
