/// The issues of one input: the first `TraceLoader.maxIssuesPerFile` listed, the rest counted in a
/// last line.
struct IssueList {
    private var listed: [DecodeIssue] = []
    private var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func add(_ issue: DecodeIssue) {
        count += 1
        if listed.count < TraceLoader.maxIssuesPerFile { listed.append(issue) }
    }

    var list: [DecodeIssue] {
        guard count > listed.count, var last = listed.last else { return listed }
        last.message = "…and \(count - listed.count) more errors"
        return listed + [last]
    }
}

/// Turns byte offsets into lines and columns, counting line breaks once: offsets are asked for in
/// increasing order (an earlier one starts the count again), and a stream's window knows the line
/// breaks it dropped.
struct LineCounter {
    private var counted = 0
    private var line = 1
    private var lineStart = 0

    mutating func position(of offset: Int, in cursor: JSONCursor) -> (line: Int, column: Int) {
        let windowStart = cursor.stream?.windowOffset ?? 0
        if counted < windowStart || offset < counted {
            counted = windowStart
            line = 1 + (cursor.stream?.droppedLineBreaks ?? 0)
            lineStart = cursor.stream?.droppedLineStart ?? 0
        }
        let end = min(offset, cursor.end)
        while counted < end {
            if cursor.base[counted] == 0x0A {
                line += 1
                lineStart = counted + 1
            }
            counted += 1
        }
        return (line, max(end - lineStart, 0) + 1)
    }

    mutating func issue(_ error: JSONSyntaxError, in cursor: JSONCursor, file: String) -> DecodeIssue {
        let (line, column) = position(of: error.offset, in: cursor)
        return DecodeIssue(file: file, line: line, column: column, byteOffset: error.offset, message: error.message)
    }
}

/// What the top-level values of an input were: to name a foreign format, or what an input without
/// a span holds instead.
struct ContentSeen {
    private var values = 0
    private var emptyObjects = 0
    private var emptyArrays = 0
    private(set) var sawTraces = false
    private var sawJaeger = false
    private var apiErrors: [String] = []
    private var otherSignals: [String] = []
    private(set) var foreign: ForeignFormat?
    private(set) var foreignKeys = ""

    mutating func note(_ sniff: FormatSniff) {
        values += 1
        sawTraces = sawTraces || sniff.sawTraces
        sawJaeger = sawJaeger || sniff.sawJaeger
        apiErrors += sniff.apiErrors
        for key in sniff.otherSignals where !otherSignals.contains(key) { otherSignals.append(key) }
        if sniff.arrayElements == 0 {
            emptyArrays += 1
        } else if sniff.topKeys == 0 {
            emptyObjects += 1
        }
        if !sniff.sawTraces && sniff.otherSignals.isEmpty {
            foreign = foreign ?? sniff.foreignFormat
            if foreignKeys.isEmpty { foreignKeys = sniff.keyList }
        }
    }

    /// A Jaeger `data`/`spans` list or an `errors` list was read.
    var sawJaegerAnswer: Bool { sawJaeger || !apiErrors.isEmpty }

    func spanless(inputLength: Int) -> SpanlessContent? {
        if !otherSignals.isEmpty { return .otherSignals(otherSignals) }
        if sawJaegerAnswer { return .jaegerWithoutSpans(errors: apiErrors) }
        if sawTraces { return .tracesWithoutSpans }
        if values == 0 { return inputLength == 0 ? .emptyFile : .whitespace }
        if emptyObjects + emptyArrays == values { return emptyObjects > 0 ? .emptyObject : .emptyArray }
        return nil
    }
}
