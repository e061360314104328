import TraceModel

/// Counts the characters of a span's answer, exactly `answer(of:in:).map(\.text).joined().count`,
/// reading the string table's bytes where the answer is plain text: the dashboard wants the length of
/// every call's answer, and building each call's conversation (a dictionary of its attributes, Foundation's
/// JSON parser for the OTel GenAI message arrays) was most of the dashboard's cost.
///
/// A span is handed to `answer(of:in:)` itself whenever counting bytes could differ from counting its
/// text: escapes other than the one-character ones, a carriage return, a non-ASCII character at either
/// end of a text (it could join the next text's first character in one grapheme), a tool result, a value
/// that is not a string, JSON that is not a plain array of message objects, or the event forms.
struct AnswerLength {
    /// What each interned string means as an attribute key or an event name, indexed by `StrID`.
    private let roles: [Role]

    private enum Role: UInt8 {
        case none
        /// `gen_ai.input.messages`: the span uses the OTel GenAI ≥ 1.37 form.
        case genAIInput
        /// `gen_ai.output.messages`: that form's answer.
        case genAIOutput
        /// Any other `llm.input_messages.*` / `llm.output_messages.*` key: the OpenInference form.
        case openInference
        /// `llm.output_messages.<i>.message.content`.
        case openInferenceContent
        /// Any other `gen_ai.prompt.*` / `gen_ai.completion.*` key: the OpenLLMetry form.
        case openLLMetry
        /// `gen_ai.completion.<i>.content`.
        case openLLMetryContent
        /// `ai.prompt.messages` or `ai.prompt`: the Vercel AI SDK form.
        case vercelPrompt
        /// `ai.response.text`.
        case vercelAnswer
        /// `output.value`, the last resort.
        case outputValue
        /// The name of an OTel GenAI message event (before 1.37).
        case messageEvent
        /// One of the prefixes above followed by a non-ASCII byte: Swift's `hasPrefix` compares
        /// characters, so whether the key has the prefix is left to `answer(of:in:)`.
        case unsure
    }

    init(strings: StringTable) {
        var roles = [Role](repeating: .none, count: strings.count)
        strings.withArena { arena, offsets in
            for id in 0..<strings.count {
                let bytes = UnsafeRawBufferPointer(rebasing: arena[Int(offsets[id])..<Int(offsets[id + 1])])
                guard bytes.count >= 9 else { continue }
                switch bytes[0] {
                case UInt8(ascii: "g"), UInt8(ascii: "l"), UInt8(ascii: "a"), UInt8(ascii: "o"):
                    roles[id] = Self.role(of: bytes)
                default: continue
                }
            }
        }
        self.roles = roles
    }

    private static func role(of bytes: UnsafeRawBufferPointer) -> Role {
        func equals(_ s: String) -> Bool { bytes.count == s.utf8.count && bytes.elementsEqual(s.utf8) }
        func hasPrefix(_ s: String) -> Bool { bytes.starts(with: s.utf8) }
        let prefixes = ["llm.output_messages.", "llm.input_messages.", "gen_ai.completion.", "gen_ai.prompt."]
        if let p = prefixes.first(where: hasPrefix), bytes.count > p.utf8.count, bytes[p.utf8.count] >= 0x80 {
            return .unsure
        }
        /// `<prefix><i>.<suffix>` with `i` written as Swift writes an `Int`: the keys `flattened` reads.
        func isIndexed(_ prefix: String, _ suffix: String) -> Bool {
            let key = String(decoding: bytes, as: UTF8.self)
            guard key.hasSuffix(suffix), key.utf8.count > prefix.utf8.count + suffix.utf8.count else { return false }
            let index = String(key.dropFirst(prefix.count).dropLast(suffix.count))
            return Int(index).map { String($0) == index } ?? false
        }
        if equals("gen_ai.input.messages") { return .genAIInput }
        if equals("gen_ai.output.messages") { return .genAIOutput }
        if hasPrefix("llm.output_messages.") {
            return isIndexed("llm.output_messages.", ".message.content") ? .openInferenceContent : .openInference
        }
        if hasPrefix("llm.input_messages.") { return .openInference }
        if hasPrefix("gen_ai.completion.") {
            return isIndexed("gen_ai.completion.", ".content") ? .openLLMetryContent : .openLLMetry
        }
        if hasPrefix("gen_ai.prompt.") { return .openLLMetry }
        if equals("ai.prompt.messages") || equals("ai.prompt") { return .vercelPrompt }
        if equals("ai.response.text") { return .vercelAnswer }
        if equals("output.value") { return .outputValue }
        if equals("gen_ai.system.message") || equals("gen_ai.user.message") || equals("gen_ai.assistant.message")
            || equals("gen_ai.tool.message") || equals("gen_ai.choice") || equals("gen_ai.content.prompt")
            || equals("gen_ai.content.completion")
        {
            return .messageEvent
        }
        return .none
    }

    func callAsFunction(_ span: Span, in store: SpanStore) -> Int {
        countFromBytes(span, store) ?? answer(of: span, in: store).map(\.text).joined().count
    }

    /// The length read from bytes; nil when the span must go through `answer(of:in:)`. Mirrors the
    /// order of `attributeConversation`: the first form the span uses wins, its first value of a key.
    func countFromBytes(_ span: Span, _ store: SpanStore) -> Int? {
        let attributes = store.attributes(of: span)
        var genAI = false
        var genAIOutput: AttrValue?
        var openInference = false
        var openInferenceTotal: Int? = 0
        var openLLMetry = false
        var openLLMetryTotal: Int? = 0
        var vercel = false
        var vercelAnswer: AttrValue?
        var outputValue: AttrValue?
        for (offset, a) in zip(attributes.indices, attributes) {
            let role = roles[Int(a.key)]
            guard role != .none else { continue }
            let repeated = attributes[attributes.startIndex..<offset].contains { $0.key == a.key }
            switch role {
            case .genAIInput: genAI = true
            case .genAIOutput:
                genAI = true
                if !repeated { genAIOutput = a.value }
            case .openInference: openInference = true
            case .openInferenceContent:
                openInference = true
                if !repeated { openInferenceTotal = add(openInferenceTotal, textLength(a.value, store)) }
            case .openLLMetry: openLLMetry = true
            case .openLLMetryContent:
                openLLMetry = true
                if !repeated { openLLMetryTotal = add(openLLMetryTotal, textLength(a.value, store)) }
            case .vercelPrompt: vercel = true
            case .vercelAnswer: if !repeated { vercelAnswer = a.value }
            case .outputValue: if !repeated { outputValue = a.value }
            case .unsure: return nil
            case .none, .messageEvent: break
            }
        }
        if genAI {
            guard let output = genAIOutput else { return 0 }
            guard case .string(let id) = output else { return nil }
            return store.strings.withBytes(id) { MessagesJSON.answerLength($0) }
        }
        if openInference { return openInferenceTotal }
        if openLLMetry { return openLLMetryTotal }
        // The Vercel form's tool calls add no text.
        if vercel { return vercelAnswer.map { textLength($0, store) } ?? 0 }
        if store.events[span.events.range].contains(where: { roles[Int($0.name)] == .messageEvent }) { return nil }
        return outputValue.map { textLength($0, store) } ?? 0
    }

    private func add(_ total: Int?, _ length: Int?) -> Int? {
        guard let total, let length else { return nil }
        return total + length
    }

    private func textLength(_ value: AttrValue, _ store: SpanStore) -> Int? {
        switch value {
        case .empty: return 0
        case .string(let id): return store.strings.withBytes(id) { PlainText.length($0) }
        default: return nil
        }
    }
}

/// Character counts of UTF-8 text that can be summed: nil when the text has a carriage return (CR LF is
/// one character) or starts or ends with a non-ASCII byte (it could join a neighbour's character).
enum PlainText {
    static func length(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var ascii = true
        for b in bytes {
            if b == UInt8(ascii: "\r") { return nil }
            if b >= 0x80 { ascii = false }
        }
        if ascii { return bytes.count }
        guard bytes.first! < 0x80, bytes.last! < 0x80 else { return nil }
        return String(decoding: bytes, as: UTF8.self).count
    }
}

/// The answer's length in an OTel GenAI message array (`genAIMessages`): per message, its `content`
/// string and the texts of its parts (`parts`, else `content` as a list), joined by line breaks. Strict
/// JSON: anything Foundation's parser could read differently returns nil.
private struct MessagesJSON {
    let bytes: UnsafeRawBufferPointer
    var i = 0
    /// Nesting of the values being skipped, capped so a hostile answer cannot exhaust the stack.
    var depth = 0

    static func answerLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var json = MessagesJSON(bytes: bytes)
        var total = 0
        guard json.eat(UInt8(ascii: "[")) else { return nil }
        if !json.eat(UInt8(ascii: "]")) {
            repeat {
                guard json.eat(UInt8(ascii: "{")), let n = json.messageLength() else { return nil }
                total += n
            } while json.eat(UInt8(ascii: ","))
            guard json.eat(UInt8(ascii: "]")) else { return nil }
        }
        json.skipSpace()
        return json.i == bytes.count ? total : nil
    }

    /// The texts of a list of parts: how many, and their characters.
    struct Texts {
        var count = 0
        var characters = 0
    }

    /// After `{`: one message's text length.
    mutating func messageLength() -> Int? {
        var content: Int?
        var contentParts: Texts?
        var parts: Texts?
        var seen = Keys()
        let read = members { json, key in
            let isContent = key.elementsEqual("content".utf8)
            guard isContent || key.elementsEqual("parts".utf8) else { return json.skipValue() }
            guard seen.first(isContent ? .content : .parts) else { return false }
            json.skipSpace()
            if isContent, json.peek == UInt8(ascii: "\"") {
                content = json.stringLength()
                return content != nil
            }
            guard json.peek == UInt8(ascii: "[") else { return json.skipValue() }
            guard let texts = json.partTexts() else { return false }
            if isContent { contentParts = texts } else { parts = texts }
            return true
        }
        guard read else { return nil }
        let texts = parts ?? contentParts ?? Texts()
        let count = texts.count + (content == nil ? 0 : 1)
        return texts.characters + (content ?? 0) + max(0, count - 1)
    }

    /// At `[`: the texts of a list of part objects; `.some(nil)` when an element is not an object
    /// (Foundation then does not read the list as parts).
    mutating func partTexts() -> Texts?? {
        var texts = Texts()
        var allObjects = true
        i += 1
        if eat(UInt8(ascii: "]")) { return texts }
        repeat {
            skipSpace()
            guard peek == UInt8(ascii: "{") else {
                allObjects = false
                guard skipValue() else { return nil }
                continue
            }
            i += 1
            guard let part = partText() else { return nil }
            if let n = part {
                texts.count += 1
                texts.characters += n
            }
        } while eat(UInt8(ascii: ","))
        guard eat(UInt8(ascii: "]")) else { return nil }
        return allObjects ? texts : .some(nil)
    }

    /// After `{`: a part's text length; `.some(nil)` for a tool call, which adds no text.
    mutating func partText() -> Int?? {
        var type = ""
        /// nil: absent; `.some(nil)`: not a string.
        var content: Int??
        var text: Int??
        var seen = Keys()
        let read = members { json, key in
            let name: Keys.Name
            if key.elementsEqual("type".utf8) {
                name = .type
            } else if key.elementsEqual("content".utf8) {
                name = .content
            } else if key.elementsEqual("text".utf8) {
                name = .text
            } else {
                return json.skipValue()
            }
            guard seen.first(name) else { return false }
            json.skipSpace()
            guard json.peek == UInt8(ascii: "\"") else {
                if name == .content { content = .some(nil) } else if name == .text { text = .some(nil) }
                return json.skipValue()
            }
            if name == .type {
                guard let t = json.string() else { return false }
                type = String(decoding: t, as: UTF8.self)
                return true
            }
            guard let n = json.stringLength() else { return false }
            if name == .content { content = n } else { text = n }
            return true
        }
        guard read else { return nil }
        switch type {
        case "tool_call", "tool-call": return .some(nil)
        case "tool_call_response", "tool-result": return nil
        default:
            guard let value = content ?? text else { return 0 }  // neither: an empty text
            guard let n = value else { return nil }
            return n
        }
    }

    /// The member names read, to leave objects that repeat one to Foundation (which keeps the last).
    struct Keys {
        enum Name: UInt8 {
            case content = 1
            case parts = 2
            case type = 4
            case text = 8
        }
        var seen: UInt8 = 0
        /// Whether `name` is met for the first time.
        mutating func first(_ name: Name) -> Bool {
            defer { seen |= name.rawValue }
            return seen & name.rawValue == 0
        }
    }

    /// After `{`: each member's key, then `body` reads its value; false when `body` or the JSON fails.
    mutating func members(_ body: (inout MessagesJSON, UnsafeRawBufferPointer) -> Bool) -> Bool {
        if eat(UInt8(ascii: "}")) { return true }
        repeat {
            skipSpace()
            guard peek == UInt8(ascii: "\""), let key = string(), eat(UInt8(ascii: ":")), body(&self, key) else {
                return false
            }
        } while eat(UInt8(ascii: ","))
        return eat(UInt8(ascii: "}"))
    }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 }
    }

    mutating func eat(_ b: UInt8) -> Bool {
        skipSpace()
        guard peek == b else { return false }
        i += 1
        return true
    }

    /// At `"`: the characters of a string, when its bytes tell them: escaped text must be ASCII and its
    /// escapes one-character ones other than `\r`.
    mutating func stringLength() -> Int? {
        let start = i + 1
        guard let scanned = scanString() else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<scanned.end])
        if scanned.escapedBytes == 0 { return PlainText.length(raw) }
        guard scanned.ascii, scanned.countable else { return nil }
        return raw.count - scanned.escapedBytes
    }

    /// At `"`: the bytes of a string without escapes (a key or a part's type); nil otherwise.
    mutating func string() -> UnsafeRawBufferPointer? {
        let start = i + 1
        guard let scanned = scanString(), scanned.escapedBytes == 0 else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<scanned.end])
    }

    /// At `"`: moves past the string. `end` is its closing quote's offset; `escapedBytes` the bytes its
    /// escapes take beyond one each; `countable` whether they are all one-character escapes but `\r`.
    /// nil on a control character, a bad escape, an escaped surrogate or no closing quote.
    mutating func scanString() -> (end: Int, escapedBytes: Int, ascii: Bool, countable: Bool)? {
        i += 1
        var escapedBytes = 0
        var ascii = true
        var countable = true
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return (i - 1, escapedBytes, ascii, countable)
            }
            if b < 0x20 { return nil }
            if b >= 0x80 { ascii = false }
            guard b == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return nil }
            let e = bytes[i + 1]
            if e == UInt8(ascii: "u") {
                // Lone surrogates are an error to Foundation: leave every escaped one to it.
                guard i + 5 < bytes.count, let unit = UInt16(hex: bytes[(i + 2)..<(i + 6)]),
                    !(0xD800...0xDFFF).contains(unit)
                else { return nil }
                escapedBytes += 5
                countable = false
                i += 6
            } else {
                guard "\"\\/bfnrt".utf8.contains(e) else { return nil }
                if e == UInt8(ascii: "r") { countable = false }
                escapedBytes += 1
                i += 2
            }
        }
        return nil
    }

    /// Moves past one JSON value, checking its grammar; false if it is not JSON or nests too deep.
    mutating func skipValue() -> Bool {
        skipSpace()
        guard let b = peek else { return false }
        switch b {
        case UInt8(ascii: "\""): return scanString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < 64 else { return false }
            depth += 1
            defer { depth -= 1 }
            i += 1
            if b == UInt8(ascii: "{") { return members { json, _ in json.skipValue() } }
            if eat(UInt8(ascii: "]")) { return true }
            repeat { guard skipValue() else { return false } } while eat(UInt8(ascii: ","))
            return eat(UInt8(ascii: "]"))
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    mutating func literal(_ word: String) -> Bool {
        guard bytes[i...].starts(with: word.utf8) else { return false }
        i += word.utf8.count
        return true
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func number() -> Bool {
        func digits(_ json: inout MessagesJSON) -> Int {
            let start = json.i
            while let d = json.peek, d.isDigit { json.i += 1 }
            return json.i - start
        }
        if peek == UInt8(ascii: "-") { i += 1 }
        if peek == UInt8(ascii: "0") {
            i += 1
        } else {
            guard digits(&self) > 0 else { return false }
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { return false }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { return false }
        }
        return true
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}

extension UInt16 {
    /// Exactly four hexadecimal digits.
    fileprivate init?(hex: Slice<UnsafeRawBufferPointer>) {
        var value: UInt16 = 0
        for b in hex {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt16(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt16(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt16(b - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        self = value
    }
}
