import SchedscopeModel

/// The events a reader must deliver, computed from first principles: which events each
/// chunk carries (a thread's events, cut into its chunks by their item counts), which
/// chunks survive, and the documented merge order.
///
/// The merge order (docs/FORMAT.md §9): generations in file order; within one, repeatedly
/// the earliest head among the threads' remaining events, ties going to the smaller thread id.
struct ExpectedEvents {
    /// The events of each events chunk, by chunk index.
    let eventsByChunk: [Int: [Event]]
    let layout: TraceLayout

    init(layout: TraceLayout, events: [Event]) {
        var remaining: [ThreadID: ArraySlice<Event>] = [:]
        for event in events { remaining[event.thread, default: []].append(event) }
        var byChunk: [Int: [Event]] = [:]
        for chunk in layout.eventChunks {
            let thread = ThreadID(rawValue: chunk.thread)
            let all = remaining[thread, default: []]
            let count = min(Int(chunk.itemCount), all.count)
            byChunk[chunk.index] = Array(all.prefix(count))
            remaining[thread] = all.dropFirst(count)
        }
        eventsByChunk = byChunk
        self.layout = layout
    }

    /// The merged stream of the events chunks for which `isDelivered` holds; `overriding`
    /// replaces what some chunks deliver (by chunk index).
    func merged(
        overriding: [Int: [Event]] = [:], where isDelivered: (TraceLayout.Chunk) -> Bool = { _ in true }
    ) -> [Event] {
        var generations: [UInt32] = []
        var streams: [UInt32: [ThreadID: [Event]]] = [:]
        for chunk in layout.eventChunks where isDelivered(chunk) {
            if streams[chunk.generation] == nil { generations.append(chunk.generation) }
            streams[chunk.generation, default: [:]][ThreadID(rawValue: chunk.thread), default: []]
                .append(contentsOf: overriding[chunk.index] ?? eventsByChunk[chunk.index] ?? [])
        }
        return generations.flatMap { Self.mergeByEarliestHead(streams[$0]!) }
    }

    static func mergeByEarliestHead(_ streams: [ThreadID: [Event]]) -> [Event] {
        var heads = streams.mapValues { $0[...] }.filter { !$0.value.isEmpty }
        var merged: [Event] = []
        while let (thread, _) = heads.min(by: { a, b in
            let x = a.value.first!, y = b.value.first!
            return (x.timestamp, x.thread) < (y.timestamp, y.thread)
        }) {
            merged.append(heads[thread]!.removeFirst())
            if heads[thread]!.isEmpty { heads[thread] = nil }
        }
        return merged
    }
}
