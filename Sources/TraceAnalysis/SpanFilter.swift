import TraceModel

/// The filter language of the trace list, the tree, `view --filter` and `summary --filter`: a span
/// matches `cost>0.05 and (model=gpt-4o* or kind=tool) not status=error refund`.
///
/// - A comparison is `field op value`, with `op` one of `= != > >= < <=`. Numbers take units:
///   durations `2s`, `500ms`, `1.5m`; token counts `10k`, `1.2M`; costs `$0.05` or `0.05`.
/// - `=` and `!=` on text compare case-insensitively; `*` in the value matches any run of characters.
/// - `and` (or nothing: `a b` is `a and b`), `or`, `not`, parentheses.
/// - A bare word (or a quoted phrase) is searched, case-insensitively, in the span's name, its
///   attribute values (prompts and answers are attribute values in every convention), its events and
///   its service; a word of hex digits also matches the start of the trace id.
public struct SpanFilter: Sendable, Equatable {
    public let text: String
    let root: Node

    /// The fields a comparison can name, with what they mean: the help screen and README list them.
    public static let fields: [(name: String, meaning: String)] = [
        ("cost", "the span's cost in USD (cost>0.05, cost>=$1)"),
        ("dur, duration", "the span's duration (dur>2s, dur<500ms)"),
        ("self", "time not covered by its children (self>1s)"),
        ("tokens", "input + output tokens (tokens>=10k)"),
        ("tokens.in, tokens.out, tokens.cached", "input, output, cache-read tokens"),
        ("model", "the model (model=gpt-4o*)"),
        ("provider", "the model's provider (provider=anthropic)"),
        ("kind", "llm, embedding, tool, agent, workflow, retrieval, other"),
        ("status", "error, ok or unset"),
        ("service", "the span's service"),
        ("name", "the span's name"),
        ("finish", "the finish reason (finish=length)"),
        ("tool, agent", "the tool's or the agent's name"),
        ("trace", "the trace id (a prefix: trace=4bf9*)"),
        ("attr.KEY", "any attribute, as text or number (attr.app.feature=refund)"),
    ]

    /// Parses `text`; an empty text matches every span.
    public init(_ text: String) throws(FilterError) {
        self.text = text
        var parser = FilterParser(text)
        root = try parser.parseAll()
    }

    /// Whether span `s` matches.
    public func matches(_ s: Int32, store: SpanStore, analysis: Analysis) -> Bool {
        root.matcher(store: store, analysis: analysis, wholeStore: false)(s)
    }

    public var isEmpty: Bool { root == .all }

    /// The spans of trace `t` that match, in the trace's order.
    public func matches(inTrace t: Int, store: SpanStore, analysis: Analysis) -> [Int32] {
        analysis.forest.traces[t].spans.filter(root.matcher(store: store, analysis: analysis, wholeStore: false))
    }

    /// The matching spans of trace `t` and those with their ancestors: what a filtered tree shows.
    public func matchesWithAncestors(inTrace t: Int, store: SpanStore, analysis: Analysis) -> (
        matches: Set<Int32>, shown: Set<Int32>
    ) {
        let matches = Set(matches(inTrace: t, store: store, analysis: analysis))
        var shown = Set<Int32>()
        for m in matches {
            var p = m
            while p >= 0, shown.insert(p).inserted { p = analysis.forest.parent[Int(p)] }
        }
        return (matches, shown)
    }

    /// How many spans of each trace match, for the traces where any does: the trace list keeps those.
    public func matchCounts(store: SpanStore, analysis: Analysis) -> [Int: Int] {
        let matches = root.matcher(store: store, analysis: analysis, wholeStore: true)
        // In store order rather than trace by trace: the spans and the pools they point into are then
        // read front to back.
        let traceOf = analysis.forest.traceOf
        var perTrace = [Int](repeating: 0, count: analysis.forest.traces.count)
        for s in store.spans.indices where matches(Int32(s)) { perTrace[Int(traceOf[s])] += 1 }
        var counts: [Int: Int] = [:]
        for (t, n) in perTrace.enumerated() where n > 0 { counts[t] = n }
        return counts
    }

    public static func == (a: SpanFilter, b: SpanFilter) -> Bool { a.text == b.text }
}

/// A wrong expression: where (1-based column) and what.
public struct FilterError: Error, Equatable, Sendable, CustomStringConvertible {
    public let column: Int
    public let message: String
    public var description: String { "column \(column): \(message)" }
}

indirect enum Node: Equatable, Sendable {
    case all
    case and(Node, Node)
    case or(Node, Node)
    case not(Node)
    case word(Word)
    case compare(Field, Op, Value)
}

/// A bare word, lower-cased, with its bytes for the search over interned strings.
struct Word: Equatable, Sendable {
    let text: String
    /// The UTF-8 of `text` when it is ASCII: then strings are searched byte by byte, without making
    /// a lower-cased copy of each (nil: a non-ASCII word is compared on lower-cased copies).
    let ascii: [UInt8]?

    init(_ text: String) {
        self.text = text.lowercased()
        ascii = self.text.utf8.allSatisfy { $0 < 0x80 } ? Array(self.text.utf8) : nil
    }
}

enum Op: String, Sendable {
    case eq = "="
    case ne = "!="
    case gt = ">"
    case ge = ">="
    case lt = "<"
    case le = "<="
}

enum Field: Equatable, Sendable {
    case cost, duration, selfTime, tokens, tokensIn, tokensOut, tokensCached
    case model, provider, kind, status, service, name, finish, tool, agent, trace
    case attribute(String)

    var isNumeric: Bool {
        switch self {
        case .cost, .duration, .selfTime, .tokens, .tokensIn, .tokensOut, .tokensCached: return true
        default: return false
        }
    }

    static func named(_ name: String) -> Field? {
        let lower = name.lowercased()
        if lower.hasPrefix("attr."), lower.count > 5 { return .attribute(String(name.dropFirst(5))) }
        let table: [String: Field] = [
            "cost": .cost, "dur": .duration, "duration": .duration, "latency": .duration, "self": .selfTime,
            "tokens": .tokens, "tokens.in": .tokensIn, "tokens.input": .tokensIn, "input": .tokensIn,
            "tokens.out": .tokensOut, "tokens.output": .tokensOut, "output": .tokensOut,
            "tokens.cached": .tokensCached, "cached": .tokensCached, "model": .model, "provider": .provider,
            "kind": .kind, "status": .status, "service": .service, "name": .name, "finish": .finish,
            "tool": .tool, "agent": .agent, "trace": .trace,
        ]
        return table[lower]
    }
}

enum Value: Equatable, Sendable {
    /// A number, and how it was written (lower-cased) for a text attribute compared with it.
    case number(Double, String)
    /// Lower-cased; `*` matches any run of characters.
    case text(String)
}

extension Node {
    /// The tree as one function of a span of `store`, for one evaluation: each word and each text
    /// comparison keeps what it found for every interned string it looked at, so a string that many
    /// spans point at (a model, a system prompt, an attribute value) is tested once, not per span.
    /// `wholeStore`: the evaluation looks at every span (the trace list's counts), so each word
    /// searches all interned strings in one pass first.
    func matcher(store: SpanStore, analysis: Analysis, wholeStore: Bool) -> (Int32) -> Bool {
        func matcher(_ node: Node) -> (Int32) -> Bool {
            node.matcher(store: store, analysis: analysis, wholeStore: wholeStore)
        }
        switch self {
        case .all: return { _ in true }
        case .and(let a, let b):
            let (a, b) = (matcher(a), matcher(b))
            return { a($0) && b($0) }
        case .or(let a, let b):
            let (a, b) = (matcher(a), matcher(b))
            return { a($0) || b($0) }
        case .not(let a):
            let a = matcher(a)
            return { !a($0) }
        case .word(let w): return WordSearch(w, store: store, wholeStore: wholeStore).matches
        case .compare(let field, let op, let value):
            return Comparison(field, op, value, store: store, analysis: analysis).matches
        }
    }
}

/// `field op value` over the spans of one store. A text field held as an interned string (name,
/// model, service, a text attribute…) is compared once per distinct string.
final class Comparison {
    private let field: Field
    private let op: Op
    private let store: SpanStore
    private let analysis: Analysis
    /// The text `=`/`!=` compare with, lower-cased (`*` any run), and the number the others compare
    /// with (nil for a text value).
    private let pattern: String
    private let bound: Double?
    /// An `attr.KEY` comparison's key, nil when no span has it.
    private let key: StrID?
    /// Whether each interned string compared so far matches `pattern`.
    private var compared: [StrID: Bool] = [:]

    init(_ field: Field, _ op: Op, _ value: Value, store: SpanStore, analysis: Analysis) {
        self.field = field
        self.op = op
        self.store = store
        self.analysis = analysis
        switch value {
        case .text(let p): (pattern, bound) = (p, nil)
        case .number(let v, let p): (pattern, bound) = (p, v)
        }
        if case .attribute(let name) = field { key = store.strings.lookup(name) } else { key = nil }
    }

    func matches(_ s: Int32) -> Bool {
        let i = Int(s)
        switch field {
        case .cost: return number(analysis.costs[i].usd)
        case .duration: return number(Double(store.spans[i].durationNanos))
        case .selfTime: return number(Double(analysis.selfNanos[i]))
        case .tokens:
            let f = analysis.facts[i]
            return number(Double(max(0, f.inputTokens) + max(0, f.outputTokens)))
        case .tokensIn: return number(Double(max(0, analysis.facts[i].inputTokens)))
        case .tokensOut: return number(Double(max(0, analysis.facts[i].outputTokens)))
        case .tokensCached: return number(Double(max(0, analysis.facts[i].cacheReadTokens)))
        case .model: return text(analysis.facts[i].model)
        case .provider: return text(analysis.facts[i].provider)
        case .kind: return text(analysis.facts[i].role.name)
        case .status: return text(analysis.isError[i] ? "error" : store.spans[i].status.name)
        // The empty string is always id 0.
        case .service:
            return text(store.resources.isEmpty ? 0 : store.resources[Int(store.spans[i].resource)].serviceName)
        case .name: return text(store.spans[i].name)
        case .finish: return text(analysis.facts[i].finishReason)
        case .tool: return text(analysis.facts[i].toolName)
        case .agent: return text(analysis.facts[i].agentName)
        case .trace: return text(store.spans[i].traceID.hex)
        case .attribute:
            guard let key, let v = store.value(forKey: key, in: store.spans[i].attributes) else { return op == .ne }
            if bound != nil, let d = store.doubleValue(v) { return number(d) }
            if case .string(let id) = v { return text(id) }
            return text(store.text(v))
        }
    }

    private func number(_ x: Double) -> Bool {
        guard let v = bound else { return false }
        switch op {
        case .eq: return x == v
        case .ne: return x != v
        case .gt: return x > v
        case .ge: return x >= v
        case .lt: return x < v
        case .le: return x <= v
        }
    }

    private func text(_ t: String) -> Bool {
        let hit = globMatch(t.lowercased(), pattern)
        return op == .ne ? !hit : hit
    }

    private func text(_ id: StrID) -> Bool {
        let hit: Bool
        if let known = compared[id] {
            hit = known
        } else {
            hit = globMatch(store.string(id).lowercased(), pattern)
            compared[id] = hit
        }
        return op == .ne ? !hit : hit
    }
}

/// `*` matches any run of characters; everything else literally. Both sides lower-cased.
func globMatch(_ text: String, _ pattern: String) -> Bool {
    guard pattern.contains("*") else { return text == pattern }
    let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
    var rest = Substring(text)
    for (k, part) in parts.enumerated() {
        if part.isEmpty { continue }
        if k == 0 {
            guard rest.hasPrefix(part) else { return false }
            rest = rest.dropFirst(part.count)
        } else if k == parts.count - 1 {
            return rest.hasSuffix(part)
        } else {
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
    }
    return true
}

/// A recursive-descent parser over the expression's characters; every error names its column.
struct FilterParser {
    private let chars: [Character]
    private var pos = 0

    init(_ text: String) { chars = Array(text) }

    mutating func parseAll() throws(FilterError) -> Node {
        skipSpaces()
        if pos == chars.count { return .all }
        let node = try parseOr()
        skipSpaces()
        if pos < chars.count {
            throw FilterError(
                column: pos + 1, message: chars[pos] == ")" ? "')' without '('" : "unexpected '\(chars[pos])'")
        }
        return node
    }

    private mutating func parseOr() throws(FilterError) -> Node {
        var node = try parseAnd()
        while keyword("or") {
            node = .or(node, try parseAnd())
        }
        return node
    }

    private mutating func parseAnd() throws(FilterError) -> Node {
        var node = try parseNot()
        while true {
            skipSpaces()
            if pos == chars.count || chars[pos] == ")" || peekKeyword("or") { return node }
            _ = keyword("and")
            node = .and(node, try parseNot())
        }
    }

    private mutating func parseNot() throws(FilterError) -> Node {
        skipSpaces()
        if keyword("not") || symbol("!") { return .not(try parseNot()) }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(FilterError) -> Node {
        skipSpaces()
        guard pos < chars.count else {
            throw FilterError(column: pos + 1, message: "expected a comparison or a word")
        }
        if chars[pos] == "(" {
            let open = pos
            pos += 1
            let node = try parseOr()
            skipSpaces()
            guard pos < chars.count, chars[pos] == ")" else {
                throw FilterError(column: open + 1, message: "'(' is not closed")
            }
            pos += 1
            return node
        }
        if chars[pos] == ")" {
            throw FilterError(column: pos + 1, message: "expected a comparison or a word before ')'")
        }
        if chars[pos] == "\"" { return .word(Word(try quoted())) }
        let start = pos
        while pos < chars.count, isFieldCharacter(chars[pos]) { pos += 1 }
        let name = String(chars[start..<pos])
        if let op = operatorHere() {
            guard let field = Field.named(name) else {
                throw FilterError(
                    column: start + 1,
                    message: name.isEmpty
                        ? "a comparison needs a field"
                        : "unknown field '\(name)' (fields: \(SpanFilter.fields.map(\.name).joined(separator: ", ")))")
            }
            let valueStart = pos
            let raw = try valueToken()
            return .compare(field, op, try value(raw, for: field, op: op, column: valueStart + 1))
        }
        // A bare word: up to the next space or parenthesis.
        while pos < chars.count, !chars[pos].isWhitespace, chars[pos] != "(", chars[pos] != ")" { pos += 1 }
        return .word(Word(String(chars[start..<pos])))
    }

    private func isFieldCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "." || c == "_" || c == "-"
    }

    private mutating func operatorHere() -> Op? {
        for op in [Op.ge, .le, .ne, .eq, .gt, .lt] {
            let symbol = Array(op.rawValue)
            if pos + symbol.count <= chars.count, Array(chars[pos..<pos + symbol.count]) == symbol {
                pos += symbol.count
                return op
            }
        }
        return nil
    }

    private mutating func valueToken() throws(FilterError) -> String {
        if pos < chars.count, chars[pos] == "\"" { return try quoted() }
        let start = pos
        while pos < chars.count, !chars[pos].isWhitespace, chars[pos] != "(", chars[pos] != ")" { pos += 1 }
        guard pos > start else { throw FilterError(column: start + 1, message: "expected a value") }
        return String(chars[start..<pos])
    }

    private mutating func quoted() throws(FilterError) -> String {
        let open = pos
        pos += 1
        var out = ""
        while pos < chars.count, chars[pos] != "\"" {
            if chars[pos] == "\\", pos + 1 < chars.count { pos += 1 }
            out.append(chars[pos])
            pos += 1
        }
        guard pos < chars.count else { throw FilterError(column: open + 1, message: "the quote is not closed") }
        pos += 1
        return out
    }

    private func value(_ raw: String, for field: Field, op: Op, column: Int) throws(FilterError) -> Value {
        switch field {
        case .cost:
            let digits = raw.hasPrefix("$") ? String(raw.dropFirst()) : raw
            guard let v = Double(digits) else {
                throw FilterError(column: column, message: "'\(raw)' is not a cost (0.05 or $0.05)")
            }
            return .number(v, raw.lowercased())
        case .duration, .selfTime:
            guard let v = parseDuration(raw) ?? (Double(raw) == 0 ? 0 : nil) else {
                throw FilterError(column: column, message: "'\(raw)' is not a duration (500ms, 2s, 1.5m)")
            }
            return .number(Double(v), raw.lowercased())
        case .tokens, .tokensIn, .tokensOut, .tokensCached:
            guard let v = Self.count(raw) else {
                throw FilterError(column: column, message: "'\(raw)' is not a token count (1200, 10k, 1.5M)")
            }
            return .number(v, raw.lowercased())
        case .attribute:
            if op != .eq && op != .ne {
                guard let v = Self.count(raw) ?? parseDuration(raw).map(Double.init) else {
                    throw FilterError(
                        column: column, message: "'\(raw)' is not a number to compare with \(op.rawValue)")
                }
                return .number(v, raw.lowercased())
            }
            return Double(raw).map { .number($0, raw.lowercased()) } ?? .text(raw.lowercased())
        default:
            guard op == .eq || op == .ne else {
                throw FilterError(
                    column: column - op.rawValue.count, message: "'\(op.rawValue)' compares numbers; use = or != here")
            }
            return .text(raw.lowercased())
        }
    }

    /// `1200`, `10k`, `1.5M`.
    static func count(_ raw: String) -> Double? {
        let scale: Double
        var digits = Substring(raw)
        switch raw.last {
        case "k", "K": scale = 1e3
        case "m", "M": scale = 1e6
        default: scale = 1
        }
        if scale != 1 { digits = digits.dropLast() }
        return Double(digits).map { $0 * scale }
    }

    private mutating func skipSpaces() { while pos < chars.count, chars[pos].isWhitespace { pos += 1 } }

    private mutating func symbol(_ s: Character) -> Bool {
        skipSpaces()
        guard pos < chars.count, chars[pos] == s else { return false }
        pos += 1
        return true
    }

    private func peekKeyword(_ word: String) -> Bool {
        let w = Array(word)
        guard pos + w.count <= chars.count, Array(chars[pos..<pos + w.count]).map({ Character($0.lowercased()) }) == w
        else { return false }
        return pos + w.count == chars.count || chars[pos + w.count].isWhitespace || chars[pos + w.count] == "("
    }

    private mutating func keyword(_ word: String) -> Bool {
        skipSpaces()
        guard peekKeyword(word) else { return false }
        pos += word.count
        return true
    }
}
