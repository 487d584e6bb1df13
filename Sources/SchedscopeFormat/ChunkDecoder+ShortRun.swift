import SchedscopeModel

/// The decoder's fast lane for type-4 chunks: runs of short-coded task records decoded
/// without a branch on the record's code.
///
/// Why: the general loop switches on every record's code, and in a scheduler's trace the
/// codes come in no order a predictor learns — callgrind's branch simulation counted 0.82
/// mispredicted jumps per event at that switch, plus a mispredicted branch on every fifth
/// task id's length. Here the six task records with a short code (`task_start`, `task_park`,
/// `task_unpark`, `task_create_next`, `task_end`, `task_yield`) share one straight path: the
/// head and the record's one argument are read from a single eight-byte load, every field
/// and register is computed for all six and kept by a mask of the code, and the cursor moves
/// by the lengths found. `proc_steal`, the seventh short code, takes a branch of its own
/// inside the lane (two arguments, each of at most four bytes, in the same eight-byte
/// load). The other branches leave the lane, and they are rare: a head or an argument
/// longer than four bytes, a long-form record, fewer than eight bytes left, or the event
/// limit. The general loop then decodes that one record, with all its checks, and comes
/// back.
///
/// Everything the lane accepts is well formed by construction (a head and an argument of at
/// most four bytes, inside the payload), so it never fails: malformed input is always met
/// by the general loop, which reports it at the same offset as before.
extension ChunkDecoder {
    /// The decoder state the lane reads and advances, held in the general loop's locals.
    struct ShortRunState {
        var position: Int
        var time: UInt64
        var contextTask: UInt64
        var registers: TaskIDRegisters
    }

    /// What each short code does, as masks (all ones or zero) that select each field's
    /// source: one row of `MaskRow.width` words per short code 0–5. Loading a row costs
    /// less than computing the masks from the code (a shift, an and and a negation each),
    /// and the lane's registers are all taken. The kind is a byte cast to `EventKind`
    /// rather than passed to `init(rawValue:)`, which the compiler left as a call;
    /// `EventKind` is a one-byte enum whose raw values are its cases' indexes, which
    /// `ShortRunTests` holds.
    enum MaskRow {
        static let width = 8
        static let taskIsArgument = 0, taskIsContext = 1, isCreate = 2, argument1IsArgument = 3
        static let keepsContext = 4, isStart = 5, registerSlot = 6, kind = 7
    }

    /// Slots of the lane's register file: the selectors' order (`TaskIDRegisters`), then a
    /// slot no selector reads.
    private static let createdSlot = 0, startedSlot = 1, unparkedSlot = 2, contextSlot = 3, unusedSlot = 4
    /// The lane takes short codes below this (the task records); short codes 0 up to
    /// `argumentCodes` − 1 have one argument, the rest none.
    private static let laneCodes: UInt64 = 6, argumentCodes: UInt64 = 4

    // Written once, when first used, and only read after (hence `nonisolated(unsafe)`).
    nonisolated(unsafe) private static let shortRunMasks: UnsafePointer<UInt64> = {
        // The rows follow the short-code table: short code `s` is `shortCodeRecords[s]`.
        let kinds = RecordLayout.shortCodeRecords.prefix(Int(laneCodes)).map { code -> EventKind in
            switch code {
            case .taskStart: .taskStart
            case .taskPark: .taskPark
            case .taskUnpark: .taskUnpark
            case .taskCreateNext: .taskCreate
            case .taskEnd: .taskEnd
            case .taskYield: .taskYield
            default: preconditionFailure("the lane has no row for \(code)")
            }
        }
        // The loop takes the codes below `argumentCodes` to have the one argument.
        precondition(kinds.indices.allSatisfy { (UInt64($0) < argumentCodes) == ![.taskEnd, .taskYield].contains(kinds[$0]) })
        // And the steal's branch takes `stealCode` to be `proc_steal`'s.
        precondition(RecordLayout.shortCodeRecords[Int(stealCode)] == .procSteal)
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: kinds.count * MaskRow.width)
        for (short, kind) in kinds.enumerated() {
            let row = table + short * MaskRow.width
            func mask(_ on: Bool) -> UInt64 { on ? .max : 0 }
            row[MaskRow.taskIsArgument] = mask(kind == .taskStart || kind == .taskUnpark)
            row[MaskRow.taskIsContext] = mask(kind == .taskPark || kind == .taskEnd || kind == .taskYield)
            row[MaskRow.isCreate] = mask(kind == .taskCreate)
            row[MaskRow.argument1IsArgument] = mask(kind == .taskPark)
            row[MaskRow.keepsContext] = mask(kind == .taskUnpark || kind == .taskCreate)
            row[MaskRow.isStart] = mask(kind == .taskStart)
            row[MaskRow.registerSlot] = UInt64(kind == .taskStart ? startedSlot : kind == .taskUnpark ? unparkedSlot : unusedSlot)
            row[MaskRow.kind] = UInt64(kind.rawValue)
        }
        return UnsafePointer(table)
    }()

    /// Gathers the 7-bit groups of a varint of at most four bytes, its stop byte's top bit
    /// and everything after it already cleared.
    @inline(__always)
    private static func groups(_ x: UInt64) -> UInt64 {
        let pairs = x & 0x007F_007F | (x & 0x7F00_7F00) &>> 1
        return pairs & 0x3FFF | (pairs & 0x3FFF_0000) &>> 2
    }

    /// The short code of `proc_steal`, which the lane takes off its straight path.
    private static let stealCode: UInt64 = 6

    /// A `proc_steal` record's two arguments (victim, count) and its length in bits, when
    /// both are at most four bytes long and the record ends within `word`; nil otherwise
    /// (the general loop then decodes it, with all its checks). A victim of at most four
    /// bytes is below 2²⁸, a valid proc.
    @inline(__always)
    private static func steal(_ word: UInt64, stops: UInt64, headBits: Int) -> (victim: UInt64, count: UInt64, bits: Int)? {
        let afterHead = stops & (stops &- 1)
        let victimStop = afterHead.trailingZeroBitCount
        let countStop = (afterHead & (afterHead &- 1)).trailingZeroBitCount
        guard countStop < 64, victimStop &- (headBits &- 1) <= 32, countStop &- victimStop <= 32 else { return nil }
        // The varint from bit `first` through the stop byte ending at bit `stop`.
        @inline(__always)
        func field(from first: Int, to stop: Int) -> UInt64 {
            groups(word &>> UInt64(first) & (UInt64.max &>> UInt64(63 &- (stop &- first))) & 0x7F7F_7F7F)
        }
        return (field(from: headBits, to: victimStop), field(from: victimStop &+ 1, to: countStop), countStop &+ 1)
    }

    /// Decodes short-coded task records from `state.position` until one the lane does not
    /// take, or `limit` events; returns the number written to `output`.
    @inline(never)
    static func decodeShortRun(
        _ base: UnsafePointer<UInt8>, end: Int, state: inout ShortRunState,
        thread: ThreadID, proc: ProcID, into output: UnsafeMutablePointer<Event>, limit: Int
    ) -> Int {
        // The four task-id bases, where a selector indexes them, and a fifth slot that takes
        // the register store of a record that sets none.
        var bases = (state.registers.created, state.registers.started, state.registers.unparked, state.contextTask, UInt64(0))
        let masks = Self.shortRunMasks
        let outputEnd = output + limit
        let last = end &- 8  // the last position an eight-byte load may start at
        // Everything the loop changes is a local of the closure (captured from outside, it
        // would live in memory).
        let (out, p, time) = withUnsafeMutableBytes(of: &bases) { raw in
            let register = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
            var out = output
            var p = state.position
            var time = state.time
            while out < outputEnd && p <= last {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
                let stops = ~word & 0x8080_8080_8080_8080
                // 8 × the head's length in bytes (65 when no byte stops it).
                let headStop = stops.trailingZeroBitCount
                let headBits = headStop &+ 1
                if headBits > 32 { break }
                let head = Self.groups(word & (stops ^ (stops &- 1)) & 0x7F7F_7F7F)
                let short = head & 7
                if short >= Self.laneCodes {
                    // `proc_steal` (about one record in thirty) is decoded here too, off the
                    // straight path: leaving the lane for it cost a return, a call and the
                    // general loop's switch each time. Any other code leaves.
                    guard short == Self.stealCode, let steal = Self.steal(word, stops: stops, headBits: headBits) else { break }
                    p &+= steal.bits &>> 3
                    time &+= head &>> 3
                    out.pointee = Event(
                        kind: .procSteal, timestamp: time, thread: thread, proc: proc,
                        task: TaskID(rawValue: register[Self.contextSlot]), argument1: steal.victim, argument2: steal.count)
                    out += 1
                    continue
                }
                // The argument: the varint after the head. Codes 4 and 5 (end, yield) have
                // none, and the bytes read for them belong to the next record and are not used.
                let hasArgument: UInt64 = short < Self.argumentCodes ? 1 : 0
                // The argument's length, from its stop bit: the second set bit of `stops`, found
                // from `stops` itself rather than after shifting the head away. The record's
                // length, and with it the next record's position, is then a short chain of
                // operations from this record's load: that chain, not the work beside it,
                // is what bounds the lane (the shifted form was about a third longer).
                let argumentStop = (stops & (stops &- 1)).trailingZeroBitCount
                let argumentBits = (argumentStop &- headStop) & (0 &- Int(hasArgument))
                if argumentBits > 32 { break }
                let rest = word &>> UInt64(headBits)
                let restStops = stops &>> UInt64(headBits)
                let argument = Self.groups(rest & (restStops ^ (restStops &- 1)) & 0x7F7F_7F7F)
                p &+= (headBits &+ argumentBits) &>> 3
                time &+= head &>> 3

                // A task-id argument (task_start, task_unpark): the zigzag difference from
                // the base its selector picks.
                let zigzag = argument &>> 2
                let coded = register[Int(truncatingIfNeeded: argument & 3)] &+ ((zigzag &>> 1) ^ (0 &- (zigzag & 1)))
                let context = register[Self.contextSlot]
                let row = masks + Int(truncatingIfNeeded: short) &* MaskRow.width
                let isCreate = row[MaskRow.isCreate]
                let keepsContext = row[MaskRow.keepsContext]
                let next = register[Self.createdSlot] &+ 1
                out.pointee = Event(
                    kind: unsafeBitCast(UInt8(truncatingIfNeeded: row[MaskRow.kind]), to: EventKind.self),
                    timestamp: time, thread: thread, proc: proc,
                    task: TaskID(rawValue: coded & row[MaskRow.taskIsArgument] | next & isCreate | context & row[MaskRow.taskIsContext]),
                    argument1: argument & row[MaskRow.argument1IsArgument] | context & keepsContext,
                    argument2: argument &>> 1 & isCreate,
                    flags: UInt8(truncatingIfNeeded: argument & isCreate & 1))
                register[Self.contextSlot] = coded & row[MaskRow.isStart] | context & keepsContext
                register[Self.createdSlot] = next &+ ~isCreate  // unchanged unless a create
                register[Int(truncatingIfNeeded: row[MaskRow.registerSlot])] = coded
                out += 1
            }
            return (out, p, time)
        }
        state.position = p
        state.time = time
        state.registers.created = bases.0
        state.registers.started = bases.1
        state.registers.unparked = bases.2
        state.contextTask = bases.3
        return output.distance(to: out)
    }
}
