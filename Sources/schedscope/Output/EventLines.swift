import SchedscopeModel

/// Writes `schedscope events` lines, text or JSON Lines, as bytes straight into the
/// output buffer.
///
/// Why bytes: built as a `String` per line (a JSON tree per event, interpolations, a
/// padded column at a time), 1M events took 4.6 s as JSON Lines and 1.8 s as text — about
/// 30,000 instructions per line, nearly all in `String`'s appends — where reading them takes
/// 0.06 s. A trace's strings (labels, reasons, region names) are few and repeat, so each
/// is escaped once and its bytes kept.
///
/// Text columns: time since the trace start (seconds, ns precision), thread (`M`), P, kind,
/// then `key=value` arguments; a string argument is quoted (JSON-style) when it is empty or
/// holds spaces, quotes, backslashes or control characters. JSON Lines: `ts_ns`, `kind`,
/// `thread`, `proc` (null without a P), then the same arguments with raw integers.
struct EventLines {
    enum Format { case text, jsonl }

    let format: Format
    /// Each defined string's bytes as written: quoted when needed (text) or escaped (JSON).
    private var cache: StringBytes

    init(format: Format) {
        self.format = format
        cache = StringBytes(json: format == .jsonl)
    }

    /// The line being written: bytes stored without the checks of an array's `append`
    /// (a line is a dozen short pieces, and those checks were most of its cost).
    private let line = LineBytes()

    /// Appends `event`'s line, newline included, to `out`.
    mutating func write(_ event: Event, strings: StringTable, to out: inout [UInt8]) {
        let line = self.line
        line.count = 0
        switch format {
        case .text: writeText(event, strings, line)
        case .jsonl: writeJSON(event, strings, line)
        }
        line.append(UInt8(ascii: "\n"))
        out.append(contentsOf: UnsafeBufferPointer(start: line.base, count: line.count))
    }

    // MARK: - Text

    private mutating func writeText(_ event: Event, _ strings: StringTable, _ out: LineBytes) {
        Self.timestamp(event.timestamp, out)
        out.append(0x20)
        out.append(0x20)
        var start = out.count
        out.append(UInt8(ascii: "M"))
        Self.decimal(event.thread.rawValue, out)
        Self.pad(from: start, to: 4, out)
        out.append(0x20)
        start = out.count
        if event.proc.isSome {
            out.append(UInt8(ascii: "P"))
            Self.decimal(UInt64(event.proc.rawValue), out)
        } else {
            out.append(UInt8(ascii: "-"))
        }
        Self.pad(from: start, to: 4, out)
        out.append(0x20)
        let nameLength = Self.name(event.kind, out)
        var first = true
        forEachArgument(event) { key, value in
            if first {
                Self.spaces(max(1, 16 - nameLength), out)
                first = false
            } else {
                out.append(0x20)
            }
            Self.literal(key, out)
            out.append(UInt8(ascii: "="))
            switch value {
            case .number(let number): Self.decimal(number, out)
            case .flag: Self.literal("true", out)
            case .string(let id): cache.append(id, strings, out)
            }
        }
    }

    // MARK: - JSON Lines

    private mutating func writeJSON(_ event: Event, _ strings: StringTable, _ out: LineBytes) {
        Self.literal(#"{"ts_ns":"#, out)
        Self.decimal(event.timestamp, out)
        Self.literal(#","kind":""#, out)
        Self.name(event.kind, out)
        Self.literal(#"","thread":"#, out)
        Self.decimal(event.thread.rawValue, out)
        Self.literal(#","proc":"#, out)
        if event.proc.isSome {
            Self.decimal(UInt64(event.proc.rawValue), out)
        } else {
            Self.literal("null", out)
        }
        forEachArgument(event) { key, value in
            Self.literal(#",""#, out)
            Self.literal(key, out)
            Self.literal(#"":"#, out)
            switch value {
            case .number(let number): Self.decimal(number, out)
            case .flag: Self.literal("true", out)
            case .string(let id): cache.append(id, strings, out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    // MARK: - Arguments

    enum Value {
        case number(UInt64)
        case string(StringID)
        /// A flag that is present only when set (`runtime`).
        case flag
    }

    /// The event's arguments by their stable names (DESIGN.md §4), in output order.
    private func forEachArgument(_ event: Event, _ body: (StaticString, Value) -> Void) {
        switch event.kind {
        case .taskCreate, .taskStart, .taskYield, .taskPreempt, .taskPark, .taskUnpark, .taskEnd, .regionBegin, .regionEnd:
            if event.task.isSome { body("task", .number(event.task.rawValue)) }
        default:
            break
        }
        switch event.kind {
        case .procSteal:
            body("victim", .number(UInt64(event.victim.rawValue)))
            body("count", .number(event.stealCount))
        case .taskCreate:
            body("parent", .number(event.parent.rawValue))
            body("label", .string(event.label))
            if event.isRuntimeTask { body("runtime", .flag) }
        case .taskPark, .gcPauseBegin, .gcPauseEnd:
            body("reason", .string(event.reason))
        case .taskUnpark:
            body("by", .number(event.waker.rawValue))
        case .gcBegin, .gcEnd:
            body("cycle", .number(event.cycle))
        case .regionBegin, .regionEnd:
            body("name", .string(event.regionName))
        case .log:
            body("category", .string(event.logCategory))
            body("message", .string(event.logMessage))
        case .lost:
            body("count", .number(event.lostCount))
        default:
            break
        }
    }

    // MARK: - Bytes

    /// Every kind's name, one after another, and where each begins (by raw value; one more
    /// for the end): a name is a range of one shared array, appended without a retain.
    private static let nameBytes: [UInt8] = EventKind.allCases.flatMap { Array($0.name.utf8) }
    private static let nameStarts: [Int] = EventKind.allCases.reduce(into: [0]) { $0.append($0.last! + $1.name.utf8.count) }

    /// Appends `kind`'s name. - Returns: its length.
    @discardableResult
    private static func name(_ kind: EventKind, _ out: LineBytes) -> Int {
        let index = Int(kind.rawValue)
        let start = nameStarts[index], end = nameStarts[index + 1]
        nameBytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
        return end - start
    }

    /// `value` in decimal.
    static func decimal(_ value: UInt64, _ out: LineBytes) {
        var width = 1
        var power: UInt64 = 10
        while width < 20 && value >= power {
            width += 1
            power = power &* 10
        }
        digits(value, width: width, out)
    }

    /// `value`'s last `width` decimal digits (at most 20), zero-padded: made on the stack,
    /// appended at once.
    private static func digits(_ value: UInt64, width: Int, _ out: LineBytes) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var rest = value
            var index = width - 1
            while index >= 0 {
                buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
                index -= 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<width]))
        }
    }

    /// Appends the bytes of a literal.
    private static func literal(_ text: StaticString, _ out: LineBytes) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Nanoseconds as seconds with nine decimals: `12.000345678`.
    static func timestamp(_ nanoseconds: UInt64, _ out: LineBytes) {
        decimal(nanoseconds / 1_000_000_000, out)
        out.append(UInt8(ascii: "."))
        digits(nanoseconds % 1_000_000_000, width: 9, out)
    }

    private static func spaces(_ count: Int, _ out: LineBytes) {
        for _ in 0..<count { out.append(0x20) }
    }

    /// Pads the ASCII column that began at `start` with spaces to `width`.
    private static func pad(from start: Int, to width: Int, _ out: LineBytes) {
        let written = out.count - start
        if written < width { spaces(width - written, out) }
    }

    /// Quotes a string for text output when it is empty or holds spaces, quotes,
    /// backslashes or control characters (as JSON does); otherwise it stands as it is.
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F }
        if plain { return value }
        var out = ""
        JSON.escape(value, into: &out)
        return out
    }
}

/// The bytes of each string of a trace as `events` writes it in one format — quoted when
/// needed (text) or escaped (JSON) — made once per string. Only defined strings are kept:
/// an id not (yet) defined reads as a placeholder, and the trace may define it later.
private struct StringBytes {
    let json: Bool
    private var kept: [[UInt8]?] = []
    /// Ids at or past this are not kept (only a sparse or forged trace has them).
    private static let limit = 1 << 20

    init(json: Bool) { self.json = json }

    mutating func append(_ id: StringID, _ strings: StringTable, _ out: LineBytes) {
        let index = Int(id.rawValue)
        if index < kept.count, let bytes = kept[index] {
            out.append(contentsOf: bytes)
            return
        }
        let bytes = Array((json ? Self.escaped(strings[id]) : EventLines.quote(strings[id])).utf8)
        out.append(contentsOf: bytes)
        guard index < Self.limit, strings.isDefined(id) else { return }
        if index >= kept.count { kept.append(contentsOf: repeatElement(nil, count: index + 1 - kept.count)) }
        kept[index] = bytes
    }

    private static func escaped(_ value: String) -> String {
        var escaped = ""
        JSON.escape(value, into: &escaped)
        return escaped
    }
}

/// A growable byte buffer written without per-byte checks beyond room (`EventLines`' line).
/// A reference type so that the buffer is allocated once per command and freed with it;
/// the writers take it as a plain parameter and append to it.
final class LineBytes {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity = 512
    var count = 0

    init() { base = .allocate(capacity: capacity) }
    deinit { base.deallocate() }

    @inline(__always)
    private func reserve(_ more: Int) {
        if count + more > capacity { grow(count + more) }
    }

    private func grow(_ needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = size
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        if let source = bytes.baseAddress { (base + count).update(from: source, count: bytes.count) }
        count += bytes.count
    }

    func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }
}
