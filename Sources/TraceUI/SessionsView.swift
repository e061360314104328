import TraceAnalysis
import TraceModel
import TraceText

/// The conversations of the data (`C` in the list, `view --sessions`): a list of sessions, and one
/// session's turns, each turn a trace that Enter opens.
public struct SessionsState: Equatable, Sendable {
    /// The conversations shown. While `pending`, those of older data (or none), read only to find the
    /// selected and the open one again by id when the new ones come.
    public var sessions: [Session]
    /// The conversations of the data shown are being grouped off the UI thread (`UIRequest.sessions`).
    public var pending = false
    public var selected = 0
    public var top = 0
    /// The session whose turns are shown.
    public var open: Int?
    public var turnSelected = 0
    public var turnTop = 0
    /// The tree on screen was opened from a turn: `q` returns to the session.
    public var treeFromTurn = false
}

extension AppState {
    /// Shows the traces grouped by conversation; says so when no trace names one.
    mutating func openSessions(_ data: ViewData) {
        sessions = SessionsState(sessions: [])
        screen = .sessions
        refreshSessions(data)
    }

    /// Takes the conversations of `data` (on `C`, after live data, and when `Msg.sessionsPrepared`
    /// says they are grouped), finding the selected and the open one again by id. They are taken at
    /// once when grouped already or when the data is small (`inlineWorkSpans`); otherwise the shell
    /// groups them off the UI thread (0.2 s for a million spans) and the screen says so meanwhile.
    public mutating func refreshSessions(_ data: ViewData) {
        guard var st = sessions else { return }
        guard
            let grouped = data.preparedSessions
                ?? (data.store.spans.count <= inlineWorkSpans ? data.sessions : nil)
        else {
            st.pending = true
            sessions = st
            requests.append(.sessions)
            return
        }
        if grouped.isEmpty && st.sessions.isEmpty {
            sessions = nil
            screen = .traceList
            message = "no sessions: no trace carries " + Conventions.sessionKeys.prefix(3).joined(separator: ", ") + "…"
            return
        }
        let selectedID = st.sessions.indices.contains(st.selected) ? st.sessions[st.selected].id : nil
        let openID = st.open.map { st.sessions[$0].id }
        st.sessions = grouped
        st.pending = false
        st.selected = selectedID.flatMap { id in grouped.firstIndex { $0.id == id } } ?? 0
        st.open = openID.flatMap { id in grouped.firstIndex { $0.id == id } }
        if st.open == nil && screen == .session { screen = .sessions }
        sessions = st
    }
}

/// Keys on the session list and on a session's turns.
func performSessions(_ s: inout AppState, _ act: Action, _ data: ViewData, page: Int) {
    guard var st = s.sessions else { return }
    if let open = st.open,
        let selected = moved(st.turnSelected, by: act, page: page, count: st.sessions[open].turns.count)
    {
        s.sessions?.turnSelected = selected
        return
    }
    if st.open == nil, let selected = moved(st.selected, by: act, page: page, count: st.sessions.count) {
        s.sessions?.selected = selected
        return
    }
    switch act {
    case .help: s.helpOpen = true
    case .open where st.pending:
        s.message = "the sessions are being grouped; they show as soon as they are ready"
    case .open:
        if let open = st.open {
            let session = st.sessions[open]
            guard session.turns.indices.contains(st.turnSelected) else { break }
            st.treeFromTurn = true
            s.sessions = st
            s.openTree(session.turns[st.turnSelected].trace, data)
            return
        }
        guard st.sessions.indices.contains(st.selected) else { break }
        st.open = st.selected
        st.turnSelected = 0
        st.turnTop = 0
        s.screen = .session
    case .back:
        if st.open != nil {
            st.open = nil
            s.screen = .sessions
        } else {
            s.sessions = nil
            s.screen = .traceList
            return
        }
    default: break
    }
    s.sessions = st
}

/// Keeps the session list's and the turns' selections inside their lists and in view.
func clampSessions(_ st: inout SessionsState, height: Int) {
    st.selected = max(0, min(st.selected, st.sessions.count - 1))
    st.top = scrolled(top: st.top, selected: st.selected, height: height, count: st.sessions.count)
    if let open = st.open {
        let n = st.sessions[open].turns.count
        st.turnSelected = max(0, min(st.turnSelected, n - 1))
        st.turnTop = scrolled(top: st.turnTop, selected: st.turnSelected, height: height, count: n)
    }
}

func sessionsHeader(_ s: AppState, _ data: ViewData) -> String {
    guard let st = s.sessions else { return "tracetui" }
    if st.pending { return "sessions · computing…" }
    if let open = st.open {
        let session = st.sessions[open]
        let t = session.totals
        return "session \(Format.sanitize(session.id)) · \(session.turns.count) turns · \(t.llmCalls) LLM · "
            + "\(Format.tokenPair(t.inputTokens, t.outputTokens)) tok · \(Format.cost(t)) · \(t.errors) err · "
            + Format.duration(session.durationNanos)
    }
    return "tracetui · \(st.sessions.count) sessions · \(data.title)"
}

/// The session list: one row per conversation with its turns, span of time, calls, tokens, cost.
func renderSessionList(_ g: inout CellGrid, _ st: SessionsState, _ look: Appearance, y: Int, height: Int) {
    let ascii = look.glyphs.ascii
    let idWidth = max(11, g.width - (6 + 15 + 9 + 5 + 12 + 7 + 11 + 4))
    let titles = [
        (fit("SESSION", idWidth), false), ("TURNS", true), ("START (UTC)", false), ("DURATION", true), ("LLM", true),
        ("TOKENS", true), ("CACHED", true), ("COST", true), ("ERR", true),
    ]
    let widths = [idWidth, 5, 14, 8, 4, 11, 6, 10, 3]
    var x = 0
    for (i, (title, right)) in titles.enumerated() {
        x += g.put((i == 0 ? "" : " ") + fit(title, widths[i], right: right), x: x, y: y, style: Style(bold: true))
    }
    for row in 0..<max(0, height - 1) {
        let i = st.top + row
        guard i < st.sessions.count else { break }
        let session = st.sessions[i]
        let t = session.totals
        let cached = t.inputTokens > 0 ? Format.wholePercent(Double(t.cachedInputTokens) / Double(t.inputTokens)) : "-"
        let cells = [
            Format.sanitize(session.id), String(session.turns.count),
            String(Format.timestamp(session.start).dropFirst(5)), Format.duration(session.durationNanos),
            String(t.llmCalls), Format.tokenPair(t.inputTokens, t.outputTokens), cached, Format.cost(t),
            String(t.errors),
        ]
        let selected = i == st.selected
        let style = Style(fg: t.errors > 0 ? .red : .normal, reverse: selected)
        if selected { g.fill(x: 0, y: y + 1 + row, width: g.width, style: style) }
        var cx = 0
        for (k, cell) in cells.enumerated() {
            cx += g.put(
                (k == 0 ? "" : " ") + fit(cell, widths[k], right: titles[k].1, ascii: ascii), x: cx, y: y + 1 + row,
                style: style)
        }
    }
}

/// One session's turns: the input tokens, the largest call's input (the context growing, drawn as a
/// bar from 100 columns),
/// the cached share, latency, cost, errors and what the user asked (read for the rows on screen).
func renderSessionTurns(
    _ g: inout CellGrid, _ st: SessionsState, _ data: ViewData, _ look: Appearance, y: Int, height: Int
) {
    guard let open = st.open else { return }
    let session = st.sessions[open]
    let ascii = look.glyphs.ascii
    let barWidth = g.width >= 100 ? 12 : 0
    let fixed = [3, 8, 9, 6, 8, 9, 3]
    let titles = ["#", "START", "INPUT TOK", "CACHED", "LATENCY", "COST", "ERR"]
    var x = 0
    for (i, title) in titles.enumerated() {
        x += g.put((i == 0 ? "" : " ") + fit(title, fixed[i], right: i != 1), x: x, y: y, style: Style(bold: true))
    }
    if barWidth > 0 { x += g.put(" " + fit("CONTEXT", barWidth), x: x, y: y, style: Style(bold: true)) }
    g.put(" USER MESSAGE", x: x, y: y, style: Style(bold: true))
    let widest = max(1, session.turns.map(\.contextTokens).max() ?? 1)
    for row in 0..<max(0, height - 1) {
        let i = st.turnTop + row
        guard i < session.turns.count else { break }
        let turn = session.turns[i]
        let t = turn.totals
        let selected = i == st.turnSelected
        let style = Style(fg: t.errors > 0 ? .red : .normal, reverse: selected)
        if selected { g.fill(x: 0, y: y + 1 + row, width: g.width, style: style) }
        let cells = [
            String(i + 1), String(Format.timestamp(turn.start).dropFirst(11)), String(t.inputTokens),
            turn.cachedShare.map(Format.wholePercent) ?? "-", Format.duration(turn.durationNanos),
            Format.cost(t), String(t.errors),
        ]
        var cx = 0
        for (k, cell) in cells.enumerated() {
            cx += g.put((k == 0 ? "" : " ") + fit(cell, fixed[k], right: k != 1), x: cx, y: y + 1 + row, style: style)
        }
        if barWidth > 0 {
            let context = turn.contextTokens
            let filled = context > 0 ? max(1, Int(Double(context) / Double(widest) * Double(barWidth))) : 0
            let bar =
                String(repeating: look.glyphs.bar, count: filled)
                + String(repeating: look.glyphs.barEmpty, count: barWidth - filled)
            cx += g.put(" ", x: cx, y: y + 1 + row, style: style)
            cx += g.put(bar, x: cx, y: y + 1 + row, style: Style(fg: .blue, reverse: selected))
        }
        g.put(
            " "
                + truncate(
                    Format.sanitize(data.analysis.runInput(ofTrace: turn.trace, in: data.store) ?? ""),
                    to: max(0, g.width - cx - 1), ascii: ascii), x: cx, y: y + 1 + row, style: style)
    }
}
