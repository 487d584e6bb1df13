#if canImport(Glibc)
import Glibc
#endif
import SchedscopeModel

/// The meeting point of a split read's two threads (`TraceReader.readSplit`): who reads
/// each segment, and the helper's batches on their way to the caller, in a ring of slots
/// the helper fills in place.
///
/// Who reads what is decided as the read goes, from how long each side waited on the
/// other: each time the helper takes a segment, the caller's share moves up if the caller
/// sat waiting for the helper's batches longer than the helper sat blocked on a full ring
/// since the last time (the caller has time to spare), down if the reverse, and the
/// caller's segments come evenly spaced. So a heavy consumer (`analyze`) leaves most of the
/// reading to the helper and a light one (`stats`) takes more of it, on any machine.
///
/// Unchecked: every stored property is read and written with `lock` held, except what is
/// immutable and the slot buffers, each owned by one side at a time (filled by the helper
/// between `acquire` and `publish`, read by the caller between `take` and `release`).
final class SegmentRelay: @unchecked Sendable {
    /// What the caller takes from the ring.
    enum Item {
        /// Events of the helper's current segment, and the strings if they changed.
        case batch(UnsafeBufferPointer<Event>, StringTable?)
        /// The end of a helper segment: its reader (report, strings), and the error that
        /// ended it early, if one did.
        case segmentEnd(TraceReader, (any Error)?)
    }

    /// Thrown to the helper once the caller has stopped reading.
    struct Stopped: Error {}

    private enum Owner { case unclaimed, helper, caller }

    private let lock = ConditionLock()
    private var owners: [Owner]
    private var nextUnclaimed = 0
    /// False when the caller fixed who reads what (tests): no segment changes hands.
    private let adaptive: Bool

    private let slots: [UnsafeMutablePointer<Event>]
    private var counts: [Int]
    private var snapshots: [StringTable?]
    private var ends: [(TraceReader, (any Error)?)?]
    /// Events per slot.
    let capacity: Int
    private var head = 0
    private var filled = 0
    private var stopped = false

    /// Nanoseconds each side waited for the other since the last segment was handed out.
    private var callerWaited: UInt64 = 0
    private var helperWaited: UInt64 = 0
    /// Caller segments handed out per helper segment, adjusted at every hand-out: up by
    /// `ratioStep` when the caller waited longer, down when the helper did. It starts at
    /// one caller segment for two of the helper's, about where `analyze` settles.
    private var callerRatio = 0.5
    /// Caller segments owed: the ratio's fractions, accumulated, so that the caller's
    /// segments come evenly spaced.
    private var callerCredit = 0.0

    /// - Parameter callerReads: who reads each segment (true: the caller), fixed in
    ///   advance; nil to decide as the read goes.
    init(segments: Int, slots count: Int, capacity: Int, callerReads: [Bool]? = nil) {
        precondition(segments > 0 && count > 0 && capacity > 0)
        precondition(callerReads.map { $0.count == segments } ?? true)
        owners = callerReads.map { $0.map { $0 ? .caller : .unclaimed } } ?? Array(repeating: .unclaimed, count: segments)
        adaptive = callerReads == nil
        self.capacity = capacity
        // Allocated, not touched: a slot's pages are mapped when first filled, so a short
        // trace costs only the slots it fills.
        slots = (0..<count).map { _ in UnsafeMutablePointer<Event>.allocate(capacity: capacity) }
        counts = Array(repeating: 0, count: count)
        snapshots = Array(repeating: nil, count: count)
        ends = Array(repeating: nil, count: count)
    }

    deinit {
        for slot in slots { slot.deallocate() }
    }

    // MARK: - Who reads which segment

    /// Helper: the next segment to read, or nil when none is left (or the caller stopped).
    func claimForHelper() -> Int? {
        lock.locked {
            guard !stopped else { return nil }
            if !adaptive {
                guard let segment = firstUnclaimed() else { return nil }
                owners[segment] = .helper
                return segment
            }
            if callerWaited > helperWaited {
                callerRatio = min(Self.maxRatio, callerRatio + Self.ratioStep)
            } else if helperWaited > callerWaited {
                callerRatio = max(0, callerRatio - Self.ratioStep)
            }
            callerWaited = 0
            helperWaited = 0
            callerCredit += callerRatio
            while callerCredit >= 1, let segment = firstUnclaimed() {
                owners[segment] = .caller
                callerCredit -= 1
            }
            guard let segment = firstUnclaimed() else { return nil }
            owners[segment] = .helper
            return segment
        }
    }

    /// How far the caller's share moves at a hand-out: small enough that one noisy wait does
    /// not swing it, large enough that ten hand-outs take the starting share to none.
    static let ratioStep = 0.05
    /// At most three caller segments per helper segment: a consumer so light that the caller
    /// would take more still leaves the helper some reading.
    static let maxRatio = 3.0

    /// Caller, on reaching `segment` (in file order): whether it reads the segment itself
    /// (claiming it if nobody has) rather than taking the helper's batches.
    func claimForCaller(_ segment: Int) -> Bool {
        lock.locked {
            switch owners[segment] {
            case .helper:
                return false
            case .caller:
                return true
            case .unclaimed:
                // Fixed in advance, an unclaimed segment is the helper's, still to come.
                guard adaptive else { return false }
                owners[segment] = .caller
                return true
            }
        }
    }

    private func firstUnclaimed() -> Int? {
        while nextUnclaimed < owners.count && owners[nextUnclaimed] != .unclaimed { nextUnclaimed += 1 }
        return nextUnclaimed < owners.count ? nextUnclaimed : nil
    }

    // MARK: - The helper's side of the ring

    /// The next free slot (`capacity` events) to fill, waiting for one; the helper's until
    /// it publishes. - Throws: `Stopped` once the caller has stopped.
    func acquire() throws -> UnsafeMutablePointer<Event> {
        try lock.locked {
            try waitForRoom()
            return slots[(head + filled) % slots.count]
        }
    }

    /// Hands the slot `acquire` returned, holding `count` events, to the caller.
    func publish(count: Int, strings: StringTable?) {
        precondition(count > 0 && count <= capacity)
        lock.locked {
            let index = (head + filled) % slots.count
            counts[index] = count
            snapshots[index] = strings
            filled += 1
            lock.broadcast()
        }
    }

    /// Marks the end of a helper segment, after its batches. - Throws: `Stopped`.
    func publishEnd(_ reader: TraceReader, _ error: (any Error)?) throws {
        try lock.locked {
            try waitForRoom()
            ends[(head + filled) % slots.count] = (reader, error)
            filled += 1
            lock.broadcast()
        }
    }

    // MARK: - The caller's side

    /// The next item of the helper's segments, waiting for it. The caller takes items only
    /// of segments the helper claimed, which the helper always ends with `publishEnd`.
    func take() -> Item {
        lock.locked {
            wait(while: { filled == 0 }, adding: &callerWaited)
            if let end = ends[head] {
                ends[head] = nil
                return .segmentEnd(end.0, end.1)
            }
            let snapshot = snapshots[head]
            snapshots[head] = nil
            return .batch(UnsafeBufferPointer(start: slots[head], count: counts[head]), snapshot)
        }
    }

    /// Done with the item `take` returned.
    func release() {
        lock.locked {
            head = (head + 1) % slots.count
            filled -= 1
            lock.broadcast()
        }
    }

    /// The caller stops reading: a helper waiting for a slot or a segment is released.
    func stop() {
        lock.locked {
            stopped = true
            lock.broadcast()
        }
    }

    /// With the lock held, on the helper's side: waits for a free slot.
    /// - Throws: `Stopped` if the caller stopped.
    private func waitForRoom() throws {
        wait(while: { filled == slots.count && !stopped }, adding: &helperWaited)
        if stopped { throw Stopped() }
    }

    /// With the lock held: waits while `condition` holds, adding the time waited to `total`
    /// (what decides who reads the next segment).
    private func wait(while condition: () -> Bool, adding total: inout UInt64) {
        guard condition() else { return }
        let start = Self.now()
        while condition() { lock.wait() }
        total &+= Self.now() &- start
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
