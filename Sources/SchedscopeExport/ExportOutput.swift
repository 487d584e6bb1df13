import SchedscopeModel

/// The byte stream an exporter writes: a buffer that hands full blocks to a sink (a file,
/// standard output) or, without a sink, keeps everything in `bytes` (tests, small pages).
///
/// Exporters format numbers and escape strings straight into bytes: building a `String`
/// per event would cost more than reading the trace.
public final class ExportOutput {
    /// The bytes not yet handed to the sink (all of them when there is no sink).
    // Unchecked: every append is a short, non-reentrant access from one thread, and the
    // dynamic exclusivity checks cost more than the append itself (perf: 15 % of an export).
    @exclusivity(unchecked) public private(set) var bytes: [UInt8] = []
    /// Bytes produced so far, handed over or not.
    public private(set) var bytesProduced: UInt64 = 0
    private let sink: (([UInt8]) throws -> Void)?
    private static let blockSize = 1 << 16

    /// Collects the output in memory.
    public init() {
        sink = nil
    }

    /// Hands the output to `sink` in blocks of about 64 KiB; `finish()` hands over the rest.
    public init(sink: @escaping ([UInt8]) throws -> Void) {
        self.sink = sink
        bytes.reserveCapacity(Self.blockSize + 4096)
    }

    /// The output so far as text (memory mode; tests).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always)
    public func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    public func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// An event kind's name (from a table of bytes: appending a `String` is slower).
    @inline(__always)
    public func append(kind: EventKind) {
        bytes.append(contentsOf: Self.kindNames[Int(kind.rawValue)])
    }

    private static let kindNames: [[UInt8]] = EventKind.allCases.map { Array($0.name.utf8) }

    @inline(__always)
    public func append(byte: UInt8) {
        bytes.append(byte)
    }

    public func append(bytes more: [UInt8]) {
        bytes.append(contentsOf: more)
    }

    /// A decimal integer, without allocating.
    public func append(decimal value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)   // 32 bytes ≥ 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[count] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
                rest /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(raw[i]) }
        }
    }

    /// Nanoseconds as a decimal number of `unit`-sized units with exactly `decimals`
    /// fraction digits: (1234567, 1000, 3) writes `1234.567` (µs with ns precision).
    public func append(nanoseconds value: UInt64, per unit: UInt64, decimals: Int) {
        append(decimal: value / unit)
        bytes.append(UInt8(ascii: "."))
        var fraction = value % unit
        var scale = unit / 10
        for _ in 0..<decimals {
            bytes.append(UInt8(truncatingIfNeeded: fraction / scale) &+ 48)
            fraction %= scale
            scale = Swift.max(scale / 10, 1)
        }
    }

    /// Hands a full block to the sink; call between events.
    @inline(__always)
    public func flushIfFull() throws {
        if bytes.count >= Self.blockSize, sink != nil { try flush() }
    }

    /// Hands everything buffered to the sink (no-op in memory mode).
    public func flush() throws {
        guard let sink, !bytes.isEmpty else { return }
        bytesProduced += UInt64(bytes.count)
        try sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Total bytes written, including what is still buffered.
    public var totalBytes: UInt64 { bytesProduced + UInt64(bytes.count) }
}
