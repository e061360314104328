import Foundation

/// USD prices of one model, per million tokens. Missing cache rates fall back to the input rate.
public struct ModelPrice: Sendable, Equatable {
    public var model: String
    public var input: Double
    public var output: Double
    public var cachedInput: Double?
    public var cacheWrite: Double?
    /// Prompts above `longContextThreshold` input tokens are billed at the `long…` rates.
    public var longContextThreshold: Int64?
    public var longInput: Double?
    public var longOutput: Double?
    public var longCachedInput: Double?
    /// Other spellings that are not derivable by the name rules (`claude-4-sonnet`).
    public var aliases: [String]

    public init(
        _ model: String, input: Double, output: Double, cachedInput: Double? = nil, cacheWrite: Double? = nil,
        longContextThreshold: Int64? = nil, longInput: Double? = nil, longOutput: Double? = nil,
        longCachedInput: Double? = nil, aliases: [String] = []
    ) {
        self.model = model
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.longContextThreshold = longContextThreshold
        self.longInput = longInput
        self.longOutput = longOutput
        self.longCachedInput = longCachedInput
        self.aliases = aliases
    }
}

/// The price table: the embedded default, possibly overridden by user files. Matching goes through
/// `canonicalModelName` and then an exact lookup: `gpt-4o` never prices `gpt-4o-mini`.
public struct PriceTable: Sendable {
    public private(set) var entries: [ModelPrice]
    /// When the prices were last checked against the providers' pages.
    public var checked: String
    /// Where each override came from, for `tracetui prices`.
    public var origins: [String]
    private var index: [String: Int] = [:]

    public init(entries: [ModelPrice], checked: String, origins: [String] = ["embedded default"]) {
        self.entries = []
        self.checked = checked
        self.origins = origins
        for e in entries { upsert(e) }
    }

    /// Adds an entry or replaces the one with the same canonical name.
    public mutating func upsert(_ price: ModelPrice) {
        let key = canonicalModelName(price.model)
        if let i = index[key] {
            entries[i] = price
        } else {
            entries.append(price)
            index[key] = entries.count - 1
        }
        for alias in price.aliases { index[canonicalModelName(alias)] = index[key] }
    }

    public func price(for model: String) -> ModelPrice? {
        index[canonicalModelName(model)].map { entries[$0] }
    }
}

/// Reduces the spellings of a model name found in spans to one key: lower case; provider paths
/// (`openai/gpt-4o`, `models/gemini-2.5-pro`) and Bedrock region/provider prefixes
/// (`us.anthropic.`) dropped; Bedrock `-v1:0` and Vertex `@20250514` versions, date suffixes
/// (`-2024-08-06`, `-20250514`) and `-latest` dropped; dots as dashes (`claude-3.5` = `claude-3-5`).
public func canonicalModelName(_ raw: String) -> String {
    var s = raw.lowercased().trimmingCharacters(in: .whitespaces)
    if let slash = s.lastIndex(of: "/") { s = String(s[s.index(after: slash)...]) }
    if let at = s.firstIndex(of: "@") { s = String(s[..<at]) }
    let regions = ["us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "global."]
    for r in regions where s.hasPrefix(r) {
        s.removeFirst(r.count)
        break
    }
    let vendors = ["anthropic.", "openai.", "google.", "meta.", "amazon.", "mistral.", "cohere.", "ai21.", "deepseek."]
    for v in vendors where s.hasPrefix(v) {
        s.removeFirst(v.count)
        break
    }
    s = s.replacingOccurrences(of: #"(-v\d+)?(:\d+)?$"#, with: "", options: .regularExpression)
    s = s.replacingOccurrences(of: #"-latest$"#, with: "", options: .regularExpression)
    s = s.replacingOccurrences(of: #"-(\d{4}-\d{2}-\d{2}|\d{8})$"#, with: "", options: .regularExpression)
    return s.replacingOccurrences(of: ".", with: "-")
}

public struct PriceFileError: Error, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

extension PriceTable {
    /// Reads a price file and applies it over this table. The file is JSON:
    /// `{"checked": "2026-11-01", "models": {"my-model": {"input": 1.0, "output": 2.0, "cachedInput": 0.1,
    /// "cacheWrite": 1.25, "aliases": ["my-model-v2"]}}}`, prices in USD per million tokens.
    public mutating func apply(file: String) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw PriceFileError(file: file, message: "cannot read the price file")
        }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            throw PriceFileError(file: file, message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let root = json as? [String: Any], let models = root["models"] as? [String: Any] else {
            throw PriceFileError(file: file, message: "expected an object with a \"models\" object")
        }
        for (name, value) in models.sorted(by: { $0.key < $1.key }) {
            guard let fields = value as? [String: Any] else {
                throw PriceFileError(file: file, message: "model \"\(name)\": expected an object of prices")
            }
            func rate(_ key: String) throws -> Double? {
                guard let v = fields[key], !(v is NSNull) else { return nil }
                guard let n = v as? NSNumber, n.doubleValue >= 0 else {
                    throw PriceFileError(
                        file: file, message: "model \"\(name)\": \"\(key)\" must be a non-negative number")
                }
                return n.doubleValue
            }
            guard let input = try rate("input"), let output = try rate("output") else {
                throw PriceFileError(file: file, message: "model \"\(name)\": \"input\" and \"output\" are required")
            }
            upsert(
                ModelPrice(
                    name, input: input, output: output, cachedInput: try rate("cachedInput"),
                    cacheWrite: try rate("cacheWrite"), aliases: fields["aliases"] as? [String] ?? []))
        }
        if let checked = root["checked"] as? String { self.checked = checked }
        origins.append(file)
    }

    /// The embedded table, then `$XDG_CONFIG_HOME/tracetui/prices.json` (or `~/.config/…`) if present,
    /// then the `--prices` files in order.
    public static func load(overrides: [String], environment: [String: String]) throws -> PriceTable {
        var table = PriceTable.embedded
        let configHome =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { $0 + "/.config" }
        if let dir = configHome {
            let path = dir + "/tracetui/prices.json"
            if FileManager.default.fileExists(atPath: path) { try table.apply(file: path) }
        }
        for file in overrides { try table.apply(file: file) }
        return table
    }
}
