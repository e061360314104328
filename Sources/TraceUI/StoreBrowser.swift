import TraceAnalysis
import TraceModel
import TraceText

/// Searching a trace store from the TUI: the results list, the search form, the trace being fetched.
/// The UI core only states what it wants (`UIRequest`s in `AppState.requests`); the shell asks
/// the store and answers with messages (`storeResults`, `storeTrace`, `storeFailed`…).
public struct StoreBrowserState: Equatable, Sendable {
    /// "Tempo at http://tempo:3200", as `StoreConnection.description` writes it.
    public let title: String
    public let kind: StoreKind
    public var results: [TraceSummary] = []
    /// The search the results answer.
    public var query: StoreQuery?
    public var selected = 0
    public var top = 0
    /// A search is on its way; the results shown are the previous one's until it returns.
    public var searching = false
    public var fetching: TraceID?
    public var form: SearchForm?
    /// The form's values as last submitted, to open it with again.
    public var lastValues: [String]?
    /// Words the form completes: Tempo's tag names, Jaeger's services and the operations of each.
    public var tags: [String] = []
    public var services: [String] = []
    public var operations: [String: [String]] = [:]

    public init(title: String, kind: StoreKind) {
        self.title = title
        self.kind = kind
    }
}

/// The search form: one line per field, the focused one edited.
public struct SearchForm: Equatable, Sendable {
    public enum Completion: Sendable { case none, tags, services, operations }
    public struct Field: Equatable, Sendable {
        public var label: String
        public var value: String
        public var completion: Completion
    }
    public var fields: [Field]
    public var focus = 0

    /// The fields a store's search takes: TraceQL for Tempo; service, operation and attributes for Jaeger.
    public static func make(for kind: StoreKind, values: [String]?) -> SearchForm {
        var fields: [Field]
        switch kind {
        case .tempo:
            fields = [Field(label: "TraceQL", value: "{}", completion: .tags)]
        case .jaeger:
            fields = [
                Field(label: "service", value: "", completion: .services),
                Field(label: "operation", value: "", completion: .operations),
                Field(label: "attributes", value: "", completion: .none),
                Field(label: "min duration", value: "", completion: .none),
            ]
        }
        fields += [
            Field(label: "since", value: "1h", completion: .none),
            Field(label: "limit", value: "20", completion: .none),
        ]
        if let values, values.count == fields.count {
            for i in fields.indices { fields[i].value = values[i] }
        }
        return SearchForm(fields: fields)
    }

    func value(_ label: String) -> String {
        fields.first { $0.label == label }?.value.trimmingCharacters(in: .whitespaces) ?? ""
    }

    /// The query the form states, or what is wrong with it.
    func query(kind: StoreKind) -> Result<(StoreQuery, since: Int64), FormError> {
        guard let since = parseDuration(value("since")), since >= 1_000_000_000 else {
            return .failure(FormError("since: write a duration such as 15m, 1h or 2d"))
        }
        guard let limit = Int(value("limit")), limit > 0 else {
            return .failure(FormError("limit: write a number of traces, such as 20"))
        }
        var query = StoreQuery(startSeconds: 0, endSeconds: 0)
        query.limit = limit
        switch kind {
        case .tempo:
            query.traceQL = value("TraceQL")
        case .jaeger:
            query.service = value("service")
            if query.service.isEmpty { return .failure(FormError("service: Jaeger searches one service")) }
            query.operation = value("operation")
            for pair in value("attributes").split(separator: " ") {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                    return .failure(FormError("attributes: write key=value pairs separated by spaces"))
                }
                query.attributes.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
            }
            if !value("min duration").isEmpty {
                guard let min = parseDuration(value("min duration")) else {
                    return .failure(FormError("min duration: write a duration such as 500ms or 2s"))
                }
                query.minDurationNanos = min
            }
        }
        return .success((query, since / 1_000_000_000))
    }

    /// Completions of the focused field's last word, from the store's words.
    func suggestions(_ store: StoreBrowserState) -> [String] {
        let field = fields[focus]
        let word: String
        let words: [String]
        switch field.completion {
        case .none: return []
        case .tags:
            word = String(field.value.split(whereSeparator: { " {(=!<>&|".contains($0) }).last ?? "")
            if field.value.last.map({ " {(=!<>&|".contains($0) }) == true { return [] }
            words = store.tags
        case .services:
            word = field.value
            words = store.services
        case .operations:
            word = field.value
            words = store.operations[value("service")] ?? []
        }
        return words.filter { $0.hasPrefix(word) && $0 != word }
    }
}

public struct FormError: Error, Equatable, Sendable {
    public let text: String
    init(_ text: String) { self.text = text }
}

// MARK: update

/// A message from the shell about the store.
func updateStore(_ s: inout AppState, _ msg: Msg, _ data: inout ViewData) {
    guard var store = s.store else { return }
    defer { s.store = store }
    switch msg {
    case .storeResults(let query, let traces, let warnings):
        store.searching = false
        store.results = traces
        store.query = query
        store.selected = 0
        store.top = 0
        let found = traces.count == 1 ? "1 trace" : "\(traces.count) traces"
        if case .tree = s.screen {
            s.message = "\(found) found: q to see them" + warnings.map { "; " + $0 }.joined()
        } else {
            s.screen = .storeResults
            // A warning says how many it found (Tempo's limit reached); it needs the room.
            s.message = warnings.isEmpty ? found + " found" : warnings.joined(separator: "; ")
        }
    case .storeTrace(let id, let fetched):
        // A trace the user asked for before the one on its way now is not opened over it.
        guard store.fetching == id else { return }
        store.fetching = nil
        guard
            let t = fetched.analysis.forest.traces.firstIndex(where: { $0.traceID == id })
                ?? fetched.analysis.forest.traces.indices.first
        else {
            s.message = "trace \(id.hex) holds no spans"
            return
        }
        data = fetched
        s.dashboard = nil
        s.list = TraceListState()
        s.list.rows = AppState.listRows(s.list, data)
        s.detailOpen = false
        s.detailFocused = false
        s.openTree(t, data)
        s.message = fetched.warnings.isEmpty ? nil : fetched.warnings.joined(separator: "; ")
    case .storeVocabulary(let tags, let services):
        store.tags = tags
        store.services = services
    case .storeOperations(let service, let operations):
        store.operations[service] = operations
    case .storeFailed(let text):
        store.searching = false
        store.fetching = nil
        s.message = text
    default: break
    }
}

/// Keys on the results list.
func performStoreResults(_ s: inout AppState, _ act: Action, page: Int) {
    guard var store = s.store else { return }
    if let selected = moved(store.selected, by: act, page: page, count: store.results.count) {
        s.store?.selected = selected
        return
    }
    switch act {
    case .open:
        guard store.results.indices.contains(store.selected) else { return }
        let id = store.results[store.selected].traceID
        store.fetching = id
        s.requests.append(.fetch(id))
        s.message = "fetching trace \(id.hex) from \(store.title)…"
    case .storeSearch:
        openSearchForm(&s)
        return
    case .help: s.helpOpen = true
    case .back: s.quit = true
    default: break
    }
    s.store = store
}

/// `S`: the search form, with the last search's values; asks for the words it completes the first time.
func openSearchForm(_ s: inout AppState) {
    guard var store = s.store else {
        s.message = "no trace store: start tracetui with --tempo URL or --jaeger URL (or set TEMPO_URL or JAEGER_URL)"
        return
    }
    store.form = SearchForm.make(for: store.kind, values: store.lastValues)
    if store.tags.isEmpty && store.services.isEmpty { s.requests.append(.vocabulary) }
    s.store = store
}

/// Keys while the search form is open: typing, moving between fields, completing, submitting.
func editSearchForm(_ s: inout AppState, _ key: Key) {
    guard var store = s.store, var form = store.form else { return }
    defer {
        if store.form != nil { store.form = form }
        s.store = store
    }
    let before = form.fields[form.focus]
    switch key {
    case .escape:
        store.form = nil
        return
    case .enter:
        switch form.query(kind: store.kind) {
        case .failure(let error):
            s.message = error.text
        case .success(let (query, since)):
            store.lastValues = form.fields.map(\.value)
            store.form = nil
            store.searching = true
            s.requests.append(.search(query, sinceSeconds: since))
            s.message = "searching \(store.title)…"
        }
        return
    case .up, .backTab: form.focus = (form.focus + form.fields.count - 1) % form.fields.count
    case .down: form.focus = (form.focus + 1) % form.fields.count
    case .tab:
        if let first = form.suggestions(store).first {
            complete(&form.fields[form.focus], with: first)
        } else {
            form.focus = (form.focus + 1) % form.fields.count
        }
    case .backspace:
        if !form.fields[form.focus].value.isEmpty { form.fields[form.focus].value.removeLast() }
    case .char(let c):
        form.fields[form.focus].value.append(c)
    default: break
    }
    // Leaving the service field asks for its operations, once.
    if before.completion == .services, form.fields[form.focus].completion != .services {
        let service = before.value.trimmingCharacters(in: .whitespaces)
        if !service.isEmpty && store.operations[service] == nil { s.requests.append(.operations(service: service)) }
    }
}

/// Replaces the word being typed with a completion.
private func complete(_ field: inout SearchForm.Field, with word: String) {
    if field.completion == .tags {
        var value = field.value
        while let last = value.last, !" {(=!<>&|".contains(last) { value.removeLast() }
        field.value = value + word
    } else {
        field.value = word
    }
}

// MARK: render

/// The results list: start, duration, matched spans, root service and name, trace id.
func renderStoreResults(_ g: inout CellGrid, _ s: AppState, _ look: Appearance, y: Int, height: Int) {
    guard let store = s.store else { return }
    let idWidth = g.width >= 100 ? 33 : 0
    let fixed = 14 + 1 + 8 + 1 + 7 + 1 + 16 + 1 + idWidth
    let nameWidth = max(10, g.width - fixed)
    var x = g.put(fit("START (UTC)", 14), x: 0, y: y, style: Style(bold: true))
    x += g.put(" " + fit("DURATION", 8, right: true), x: x, y: y, style: Style(bold: true))
    x += g.put(" " + fit("MATCHED", 7, right: true), x: x, y: y, style: Style(bold: true))
    x += g.put(" " + fit("SERVICE", 16), x: x, y: y, style: Style(bold: true))
    x += g.put(" " + fit("ROOT SPAN", nameWidth), x: x, y: y, style: Style(bold: true))
    if idWidth > 0 { g.put(" TRACE ID", x: x, y: y, style: Style(bold: true)) }
    if store.results.isEmpty {
        let text =
            store.searching
            ? "searching…" : store.query == nil ? "no search yet: S to search" : "no traces found: S to search again"
        g.put(text, x: 0, y: y + 1)
    }
    for row in 0..<max(0, height - 1) {
        let i = store.top + row
        guard i < store.results.count else { break }
        let r = store.results[i]
        let style = Style(reverse: i == store.selected)
        if i == store.selected { g.fill(x: 0, y: y + 1 + row, width: g.width, style: style) }
        let ascii = look.glyphs.ascii
        // Month, day and time, as the trace list writes them: a search spans hours, not years.
        var cx = g.put(String(Format.timestamp(r.startNanos).dropFirst(5)), x: 0, y: y + 1 + row, style: style)
        cx += g.put(" " + fit(Format.duration(r.durationNanos), 8, right: true), x: cx, y: y + 1 + row, style: style)
        cx += g.put(
            " " + fit(r.matchedSpans.map(String.init) ?? "-", 7, right: true), x: cx, y: y + 1 + row, style: style)
        cx += g.put(" " + fit(Format.sanitize(r.rootService), 16, ascii: ascii), x: cx, y: y + 1 + row, style: style)
        cx += g.put(
            " " + fit(Format.sanitize(r.rootName), nameWidth, ascii: ascii), x: cx, y: y + 1 + row, style: style)
        if idWidth > 0 { g.put(" " + r.traceID.hex, x: cx, y: y + 1 + row, style: style) }
    }
}

func storeResultsHeader(_ s: AppState) -> String {
    guard let store = s.store else { return "tracetui" }
    var text = "tracetui · \(store.title) · \(store.results.count) trace\(store.results.count == 1 ? "" : "s")"
    if store.searching { text += " · searching…" }
    if let id = store.fetching { text += " · fetching \(shortID(id))…" }
    if let query = store.query {
        let what =
            store.kind == .tempo
            ? query.traceQL : [query.service, query.operation].filter { !$0.isEmpty }.joined(separator: " ")
        if !what.isEmpty { text += " · " + what }
    }
    return text
}

/// Eight digits that tell a trace apart, leading zeros left out as Tempo's search writes ids.
private func shortID(_ id: TraceID) -> String {
    let digits = id.hex.drop { $0 == "0" }
    return digits.isEmpty ? "0" : String(digits.prefix(8))
}

/// The search form, drawn over the body.
func renderSearchForm(_ g: inout CellGrid, _ s: AppState, _ look: Appearance) {
    guard let store = s.store, let form = store.form else { return }
    let w = min(g.width - 2, 76)
    let x0 = (g.width - w) / 2
    let labelWidth = 13
    let suggestions = form.suggestions(store)
    var lines: [(String, Style)] = [(" Search \(store.title)", Style(bold: true, reverse: true))]
    for (i, field) in form.fields.enumerated() {
        let cursor = i == form.focus ? "█" : ""
        let text = " " + fit(field.label, labelWidth) + Format.sanitize(field.value) + cursor
        lines.append((text, Style(bold: i == form.focus, reverse: true)))
    }
    if !suggestions.isEmpty {
        lines.append((" Tab: " + suggestions.prefix(8).joined(separator: "  "), Style(reverse: true, dim: true)))
    } else if store.kind == .tempo {
        lines.append((" e.g. { span.gen_ai.usage.input_tokens > 10000 }", Style(reverse: true, dim: true)))
    } else {
        lines.append((" attributes: key=value key2=value2", Style(reverse: true, dim: true)))
    }
    lines.append((" Enter search · Tab complete/next · ↑/↓ field · Esc cancel", Style(reverse: true, dim: true)))
    let y0 = max(1, (g.height - lines.count) / 2 - 1)
    for (row, line) in lines.enumerated() where y0 + row < g.height - 1 {
        g.fill(x: x0, y: y0 + row, width: w, style: Style(reverse: true))
        g.put(line.0, x: x0, y: y0 + row, style: line.1, maxWidth: w)
    }
}
