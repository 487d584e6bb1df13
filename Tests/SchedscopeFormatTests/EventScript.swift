import SchedscopeModel

/// Seeded random event sequences that exercise every corner of the event codec: all 18
/// kinds, context changes the decoder cannot infer, timestamp ties, steps back in time,
/// jumps too large for a record head, task ids that jump across the whole 64-bit range,
/// and string ids.
///
/// Events are *canonical*: a field the kind does not carry (docs/FORMAT.md §6) is zero,
/// so a round trip must give back exactly the same value.
struct EventScript {
    struct Shape: Sendable, CustomStringConvertible {
        var threadCount: Int
        var eventCount: Int
        /// Whether a thread's timestamps may go backwards (then the merged stream cannot be sorted).
        var timeGoesBackwards: Bool

        var description: String {
            "\(threadCount) threads, \(eventCount) events\(timeGoesBackwards ? ", time goes backwards" : "")"
        }
    }

    /// Largest delta a record head carries (docs/FORMAT.md §6): one more needs a `time` record.
    static let largestHeadDelta: UInt64 = (1 << 56) - 1

    /// Thread ids include the extremes of the 64-bit range.
    static func threads(count: Int, using random: inout SplitMix64) -> [ThreadID] {
        var ids: [UInt64] = [UInt64.max, 0, 1, 0x7FFF_FFFF_FFFF_FFFF]
        while ids.count < count { ids.append(random.next()) }
        return ids.prefix(count).map(ThreadID.init(rawValue:))
    }

    static func events(seed: UInt64, shape: Shape, strings: [StringID]) -> [Event] {
        var random = SplitMix64(seed: seed)
        let threads = threads(count: shape.threadCount, using: &random)
        var state = [ThreadID: (proc: ProcID, task: TaskID)]()
        for thread in threads { state[thread] = (.none, .none) }
        var now = UInt64.random(in: 0..<(1 << 40), using: &random)
        var previousThread = threads[0]
        var events: [Event] = []
        events.reserveCapacity(shape.eventCount)

        func stringID() -> UInt64 {
            random.oneIn(8) ? UInt64(random.next() >> 33) : UInt64(strings.randomElement(using: &random)!.rawValue)
        }
        func someProc() -> ProcID {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: ProcID(rawValue: UInt32.max - 1)
            case 1: ProcID(rawValue: UInt32.random(in: 0..<UInt32.max, using: &random))
            default: ProcID(rawValue: UInt32.random(in: 0..<8, using: &random))
            }
        }
        func someTask(near previous: UInt64) -> TaskID {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: TaskID(rawValue: random.next())
            case 1: TaskID(rawValue: UInt64.max - UInt64.random(in: 0..<3, using: &random))
            case 2: TaskID(rawValue: previous &- UInt64.random(in: 1...100, using: &random))
            default: TaskID(rawValue: previous &+ UInt64.random(in: 1...3, using: &random))
            }
        }

        for _ in 0..<shape.eventCount {
            // Time: ties, small steps, rare jumps at (and just past) the largest head delta.
            var jumped = false
            if random.oneIn(150), now < UInt64.max - (1 << 60) {
                now += random.oneIn(2) ? Self.largestHeadDelta : Self.largestHeadDelta + 1
                jumped = true
            } else if !random.oneIn(4) {
                now += UInt64.random(in: 1...2_000, using: &random)
            }
            var timestamp = now
            if shape.timeGoesBackwards && random.oneIn(30) {
                timestamp = random.oneIn(3) ? UInt64.random(in: 0...now, using: &random) : now - min(now, UInt64.random(in: 1...5_000, using: &random))
            }

            // A jump is only a large *per-thread* delta if the same thread emitted the event before it.
            let threadForEvent = jumped ? previousThread : threads.randomElement(using: &random)!
            previousThread = threadForEvent
            var context = state[threadForEvent]!
            // Mostly the thread's own context (nothing to encode); sometimes one the decoder cannot infer.
            var proc = context.proc
            var task = context.task
            switch Int.random(in: 0..<10, using: &random) {
            case 0: proc = someProc()
            case 1: proc = .none
            case 2: task = someTask(near: task.rawValue)
            case 3: task = .none
            default: break
            }

            let kind = EventKind.allCases.randomElement(using: &random)!
            var event = Event(kind: kind, timestamp: timestamp, thread: threadForEvent, proc: proc, task: task)
            switch kind {
            case .procStart:
                event.proc = someProc()
                context.proc = event.proc
            case .procStop:
                context.proc = .none
            case .procSteal:
                event.argument1 = UInt64(someProc().rawValue)
                event.argument2 = random.oneIn(5) ? random.next() : UInt64.random(in: 1...64, using: &random)
            case .taskCreate:
                event.argument1 = task.rawValue
                event.task = someTask(near: task.rawValue)
                event.argument2 = stringID()
                event.flags = random.oneIn(3) ? Event.Flags.runtimeTask : 0
            case .taskStart:
                event.task = someTask(near: task.rawValue)
                context.task = event.task
            case .taskYield, .taskPreempt, .taskEnd:
                context.task = .none
            case .taskPark:
                event.argument1 = stringID()
                context.task = .none
            case .taskUnpark:
                event.argument1 = task.rawValue
                event.task = someTask(near: task.rawValue)
            case .gcBegin, .gcEnd, .lost:
                event.argument1 = random.oneIn(4) ? random.next() : UInt64.random(in: 0...1_000, using: &random)
            case .gcPauseBegin, .gcPauseEnd, .regionBegin, .regionEnd:
                event.argument1 = stringID()
            case .log:
                event.argument1 = stringID()
                event.argument2 = stringID()
            }
            if kind != .procStart && kind != .procStop { context.proc = proc }
            if !kind.stopsTask && kind != .taskStart { context.task = task }
            state[threadForEvent] = context
            events.append(event)
        }
        return events
    }
}

extension EventScript {
    /// What a script exercises, so a test can show its input really covers the codec's corners.
    struct Coverage {
        var kinds = Set<EventKind>()
        var runtimeTaskCreates = 0
        /// Per-thread steps of exactly the largest head delta, and of one more.
        var largestHeadDeltaSteps = 0
        var oversizedSteps = 0
        var backwardSteps = 0
        var timestampTies = 0
        var taskIDsNearMax = 0

        init(_ events: [Event]) {
            var previous: [ThreadID: UInt64] = [:]
            var lastTimestamp: UInt64?
            for event in events {
                kinds.insert(event.kind)
                if event.kind == .taskCreate && event.isRuntimeTask { runtimeTaskCreates += 1 }
                if event.task.rawValue > UInt64.max - 3 { taskIDsNearMax += 1 }
                if let before = previous[event.thread] {
                    if event.timestamp < before { backwardSteps += 1 }
                    else if event.timestamp - before == EventScript.largestHeadDelta { largestHeadDeltaSteps += 1 }
                    else if event.timestamp - before > EventScript.largestHeadDelta { oversizedSteps += 1 }
                }
                if event.timestamp == lastTimestamp { timestampTies += 1 }
                previous[event.thread] = event.timestamp
                lastTimestamp = event.timestamp
            }
        }
    }
}
