import TraceModel

/// A time window ending at "now": a time t is inside when `start < t <= end`.
public struct TimeWindow: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }
    public init(last nanos: Int64, endingAt end: Int64) { self.init(start: end - nanos, end: end) }
    public var nanos: Int64 { end - start }
    public func contains(_ t: Int64) -> Bool { t > start && t <= end }
    /// The overlap with another window ending at the same "now".
    public func clipped(to other: TimeWindow) -> TimeWindow {
        TimeWindow(start: max(start, other.start), end: min(end, other.end))
    }

    public static let minute: Int64 = 60_000_000_000
    public static let hour: Int64 = 60 * minute
    public static let day: Int64 = 24 * hour
}

/// The time range the user chose; every panel is clipped to it.
public enum TimeRange: Int, CaseIterable, Sendable {
    case all, lastHour, lastDay, lastWeek
    public var nanos: Int64? { [nil, TimeWindow.hour, TimeWindow.day, 7 * TimeWindow.day][rawValue] }
    public var title: String { ["all", "1h", "24h", "7d"][rawValue] }
}

/// The filters shared by the dashboard and the trace list. nil means "any".
public struct DashboardFilter: Sendable, Equatable {
    public var service: String?
    public var model: String?
    public var feature: String?
    public var range: TimeRange
    public init(service: String? = nil, model: String? = nil, feature: String? = nil, range: TimeRange = .all) {
        self.service = service
        self.model = model
        self.feature = feature
        self.range = range
    }
    public var isEmpty: Bool { service == nil && model == nil && feature == nil && range == .all }

    /// `model=gpt-4o service=ai-service range=24h`, or `none`.
    public var summary: String {
        var parts: [String] = []
        if let model { parts.append("model=\(model)") }
        if let feature { parts.append("feature=\(feature)") }
        if let service { parts.append("service=\(service)") }
        if range != .all { parts.append("range=\(range.title)") }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}

/// Options of the computation that are not filters.
public struct DashboardOptions: Sendable, Equatable {
    /// Percentiles are exact (sorted values) up to this many values; beyond it an HdrHistogram with
    /// three significant digits (relative error at most 0.1%) keeps memory and time bounded.
    /// 100,000 values sort in a few milliseconds and hold 800 KB, so any file a person looks at
    /// gets exact figures and a million-span file still answers in well under a second.
    public var exactPercentileLimit: Int
    public init(exactPercentileLimit: Int = 100_000) { self.exactPercentileLimit = exactPercentileLimit }
}

/// The filter resolved against a store's string table, so matching is integer compares.
/// A name that does not occur in the data matches nothing.
struct ResolvedFilter {
    var service: StrID??
    var model: StrID??
    var feature: StrID??
    var window: TimeWindow

    init(_ f: DashboardFilter, strings: StringTable, window: TimeWindow) {
        func resolve(_ name: String?) -> StrID?? { name.map { strings.lookup($0) } }
        service = resolve(f.service)
        model = resolve(f.model)
        feature = resolve(f.feature)
        self.window = window
    }

    static func matches(_ wanted: StrID??, _ actual: StrID) -> Bool {
        guard let wanted else { return true }
        return wanted == actual
    }

    func call(_ c: DashboardCall) -> Bool {
        window.contains(c.end) && Self.matches(service, c.service) && Self.matches(model, c.model)
            && Self.matches(feature, c.feature)
    }

    /// Records that are not counted calls (rate-limit events, feedback, spans) pass the model filter
    /// by their own model when they name one, else when their trace holds a counted call of it.
    func record(time: Int64, service s: StrID, feature f: StrID, model own: StrID, trace: Int32, data: DashboardData)
        -> Bool
    {
        guard window.contains(time), Self.matches(service, s), Self.matches(feature, f) else { return false }
        guard let model else { return true }
        guard let m = model else { return false }
        return own != 0 ? own == m : data.traceModels[Int(trace)].contains(m)
    }
}
