import TraceModel

/// Reads everything a decoded store points at, as the analysis and the UI do: every pool range,
/// string id, resource, scope and source index. A decoder that hands out an index past its pool
/// traps here (a bounds check) instead of passing unnoticed until a user opens that span.
func readEverything(_ store: SpanStore) {
    var total = 0
    func attributes(_ range: PoolRange) {
        for attribute in store.attributes[range.range] {
            total &+= store.string(attribute.key).utf8.count &+ store.text(attribute.value).utf8.count
        }
    }
    for resource in store.resources {
        attributes(resource.attributes)
        total &+= store.string(resource.serviceName).utf8.count
    }
    for scope in store.scopes {
        attributes(scope.attributes)
        total &+= store.string(scope.name).utf8.count &+ store.string(scope.version).utf8.count
    }
    for span in store.spans {
        precondition(store.resources.indices.contains(Int(span.resource)), "span resource out of range")
        precondition(store.scopes.indices.contains(Int(span.scope)), "span scope out of range")
        precondition(store.sources.indices.contains(Int(span.source)), "span source out of range")
        total &+= store.string(span.name).utf8.count &+ store.string(span.statusMessage).utf8.count
        total &+= store.string(span.traceState).utf8.count
        attributes(span.attributes)
        for event in store.events[span.events.range] {
            total &+= store.string(event.name).utf8.count
            attributes(event.attributes)
        }
        for link in store.links[span.links.range] {
            total &+= store.string(link.traceState).utf8.count
            attributes(link.attributes)
        }
    }
    blackHole(total)
}

/// Keeps the optimiser from dropping reads whose result is otherwise unused.
@inline(never)
func blackHole(_ value: Int) {
    if value == -1 { print(value) }
}
