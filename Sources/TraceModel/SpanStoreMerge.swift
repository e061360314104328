/// Copying spans between stores: a live session compacts its store when old traces are evicted
/// (`compacted`), and appends each received batch (`append(contentsOf:)`). Strings are re-interned,
/// pool ranges rebased, resources, scopes and sources shared by the copied spans copied once.
public struct SpanStoreCopier {
    private var stringMap: [StrID]
    private var resourceMap: [UInt32: UInt32] = [:]
    private var scopeMap: [UInt32: UInt32] = [:]
    private var sourceMap: [UInt32: UInt32] = [:]
    private static let unmapped = StrID.max

    public init(from source: SpanStore) {
        stringMap = [StrID](repeating: Self.unmapped, count: source.strings.count)
        if !stringMap.isEmpty { stringMap[0] = 0 }
    }

    /// Appends span `index` of `source` (with its attributes, events, links, resource, scope) to `target`.
    public mutating func copy(span index: Int, of source: SpanStore, into target: inout SpanStore) {
        var span = source.spans[index]
        span.name = string(span.name, source, &target)
        span.statusMessage = string(span.statusMessage, source, &target)
        span.traceState = string(span.traceState, source, &target)
        span.resource = resource(span.resource, source, &target)
        span.scope = scope(span.scope, source, &target)
        span.source = sourceName(span.source, source, &target)
        span.attributes = attributes(span.attributes, source, &target)
        if span.events.count > 0 {
            var events: [SpanEvent] = []
            events.reserveCapacity(Int(span.events.count))
            for var e in source.events[span.events.range] {
                e.name = string(e.name, source, &target)
                e.attributes = attributes(e.attributes, source, &target)
                events.append(e)
            }
            span.events = PoolRange(start: UInt32(target.events.count), count: UInt32(events.count))
            target.events.append(contentsOf: events)
        }
        if span.links.count > 0 {
            var links: [SpanLink] = []
            links.reserveCapacity(Int(span.links.count))
            for var l in source.links[span.links.range] {
                l.traceState = string(l.traceState, source, &target)
                l.attributes = attributes(l.attributes, source, &target)
                links.append(l)
            }
            span.links = PoolRange(start: UInt32(target.links.count), count: UInt32(links.count))
            target.links.append(contentsOf: links)
        }
        target.spans.append(span)
    }

    @inline(__always)
    private mutating func string(_ id: StrID, _ source: SpanStore, _ target: inout SpanStore) -> StrID {
        if id == 0 { return 0 }
        let m = stringMap[Int(id)]
        if m != Self.unmapped { return m }
        let t = source.strings.withBytes(id) { target.strings.intern($0) }
        stringMap[Int(id)] = t
        return t
    }

    private mutating func resource(_ r: UInt32, _ source: SpanStore, _ target: inout SpanStore) -> UInt32 {
        if let m = resourceMap[r] { return m }
        var res = Resource()
        if source.resources.indices.contains(Int(r)) {
            res = source.resources[Int(r)]
            res.attributes = attributes(res.attributes, source, &target)
            res.serviceName = string(res.serviceName, source, &target)
        }
        let m = UInt32(target.resources.count)
        target.resources.append(res)
        resourceMap[r] = m
        return m
    }

    private mutating func scope(_ s: UInt32, _ source: SpanStore, _ target: inout SpanStore) -> UInt32 {
        if let m = scopeMap[s] { return m }
        var sc = Scope()
        if source.scopes.indices.contains(Int(s)) {
            sc = source.scopes[Int(s)]
            sc.name = string(sc.name, source, &target)
            sc.version = string(sc.version, source, &target)
            sc.attributes = attributes(sc.attributes, source, &target)
        }
        let m = UInt32(target.scopes.count)
        target.scopes.append(sc)
        scopeMap[s] = m
        return m
    }

    private mutating func sourceName(_ s: UInt32, _ source: SpanStore, _ target: inout SpanStore) -> UInt32 {
        if let m = sourceMap[s] { return m }
        let name = source.sources.indices.contains(Int(s)) ? source.sources[Int(s)] : ""
        let m: UInt32
        if let existing = target.sources.firstIndex(of: name) {
            m = UInt32(existing)
        } else {
            m = UInt32(target.sources.count)
            target.sources.append(name)
        }
        sourceMap[s] = m
        return m
    }

    private mutating func attributes(_ range: PoolRange, _ source: SpanStore, _ target: inout SpanStore) -> PoolRange {
        if range.count == 0 { return .empty }
        var list: [Attribute] = []
        list.reserveCapacity(Int(range.count))
        for a in source.attributes[range.range] {
            list.append(Attribute(key: string(a.key, source, &target), value: value(a.value, source, &target)))
        }
        let out = PoolRange(start: UInt32(target.attributes.count), count: UInt32(list.count))
        target.attributes.append(contentsOf: list)
        return out
    }

    private mutating func value(_ v: AttrValue, _ source: SpanStore, _ target: inout SpanStore) -> AttrValue {
        switch v {
        case .empty, .bool, .int, .double: return v
        case .string(let s): return .string(string(s, source, &target))
        case .bytes(let s): return .bytes(string(s, source, &target))
        case .array(let start, let count):
            var values: [AttrValue] = []
            values.reserveCapacity(Int(count))
            for i in Int(start)..<Int(start + count) { values.append(value(source.arrayValues[i], source, &target)) }
            let s = UInt32(target.arrayValues.count)
            target.arrayValues.append(contentsOf: values)
            return .array(start: s, count: count)
        case .kvlist(let start, let count):
            var entries: [Attribute] = []
            entries.reserveCapacity(Int(count))
            for i in Int(start)..<Int(start + count) {
                let a = source.nestedAttributes[i]
                entries.append(Attribute(key: string(a.key, source, &target), value: value(a.value, source, &target)))
            }
            let s = UInt32(target.nestedAttributes.count)
            target.nestedAttributes.append(contentsOf: entries)
            return .kvlist(start: s, count: count)
        }
    }
}

extension SpanStore {
    /// A new store holding only the spans for which `keep` is true, in order; strings and pool
    /// entries used only by the others are gone.
    public func compacted(keeping keep: (Int) -> Bool) -> SpanStore {
        var out = SpanStore()
        var copier = SpanStoreCopier(from: self)
        for i in spans.indices where keep(i) { copier.copy(span: i, of: self, into: &out) }
        return out
    }
}

extension SpanStore {
    /// Appends every span of `other` with everything it points to, in bulk: `other`'s strings are
    /// interned together (`StringTable.intern(contentsOf:)`), its pools are appended whole and the spans' ranges and indices shifted by
    /// the pools' sizes before. How a live session adds a received batch and a load decoded on
    /// several cores joins its pieces' stores; unlike `SpanStoreCopier` (span by span, for a subset)
    /// it allocates nothing per span.
    public mutating func append(contentsOf other: SpanStore) {
        let stringMap = strings.intern(contentsOf: other.strings)
        let attributeBase = UInt32(attributes.count)
        let nestedBase = UInt32(nestedAttributes.count)
        let arrayBase = UInt32(arrayValues.count)
        let eventBase = UInt32(events.count)
        let linkBase = UInt32(links.count)
        let resourceBase = UInt32(resources.count)
        let scopeBase = UInt32(scopes.count)
        let sourceMap = other.sources.map { name in
            if let i = sources.firstIndex(of: name) { return UInt32(i) }
            sources.append(name)
            return UInt32(sources.count - 1)
        }
        func string(_ id: StrID) -> StrID { stringMap[Int(id)] }
        func shifted(_ r: PoolRange, _ base: UInt32) -> PoolRange {
            r.count == 0 ? .empty : PoolRange(start: r.start + base, count: r.count)
        }
        func value(_ v: AttrValue) -> AttrValue {
            switch v {
            case .empty, .bool, .int, .double: return v
            case .string(let s): return .string(string(s))
            case .bytes(let s): return .bytes(string(s))
            case .array(let start, let count): return .array(start: start + arrayBase, count: count)
            case .kvlist(let start, let count): return .kvlist(start: start + nestedBase, count: count)
            }
        }
        func attribute(_ a: Attribute) -> Attribute { Attribute(key: string(a.key), value: value(a.value)) }

        attributes.append(contentsOf: other.attributes.lazy.map(attribute))
        nestedAttributes.append(contentsOf: other.nestedAttributes.lazy.map(attribute))
        arrayValues.append(contentsOf: other.arrayValues.lazy.map(value))
        func appendChanged<T>(_ pool: inout [T], _ elements: [T], _ change: (inout T) -> Void) {
            for var element in elements {
                change(&element)
                pool.append(element)
            }
        }
        appendChanged(&events, other.events) {
            $0.name = string($0.name)
            $0.attributes = shifted($0.attributes, attributeBase)
        }
        appendChanged(&links, other.links) {
            $0.traceState = string($0.traceState)
            $0.attributes = shifted($0.attributes, attributeBase)
        }
        appendChanged(&resources, other.resources) {
            $0.serviceName = string($0.serviceName)
            $0.attributes = shifted($0.attributes, attributeBase)
        }
        appendChanged(&scopes, other.scopes) {
            $0.name = string($0.name)
            $0.version = string($0.version)
            $0.attributes = shifted($0.attributes, attributeBase)
        }
        appendChanged(&spans, other.spans) {
            $0.name = string($0.name)
            $0.statusMessage = string($0.statusMessage)
            $0.traceState = string($0.traceState)
            $0.resource += resourceBase
            $0.scope += scopeBase
            $0.source = sourceMap.indices.contains(Int($0.source)) ? sourceMap[Int($0.source)] : $0.source
            $0.attributes = shifted($0.attributes, attributeBase)
            $0.events = shifted($0.events, eventBase)
            $0.links = shifted($0.links, linkBase)
        }
    }
}
