import CSchedscopeRecorder
import SchedscopeModel
#if canImport(Glibc)
import Glibc
#endif

/// Where event timestamps come from, and how raw readings become trace nanoseconds.
///
/// The emit path stores a raw reading: the CPU's time-stamp counter (about 10 ns to read
/// here) when the kernel trusts it (`constant_tsc` and `nonstop_tsc`, and `tsc` among the
/// clock sources), otherwise `CLOCK_MONOTONIC` in nanoseconds (about 23 ns). The flusher
/// converts readings to nanoseconds since the trace start, with a ticks-to-nanoseconds
/// ratio calibrated against `CLOCK_MONOTONIC` once per process.
struct RecorderClock: Sendable {
    enum Source: Sendable { case tsc, monotonic }

    let source: Source
    /// The raw reading at the trace start (timestamp 0).
    let originRaw: UInt64
    /// Nanoseconds per tick as a 32.32 fixed-point number (TSC only).
    let nanosecondsPerTickQ32: UInt64
    /// Wall-clock time of the trace start, nanoseconds since the Unix epoch.
    let originWallNanoseconds: UInt64

    /// Starts a trace clock now.
    init(choice: ClockChoice) throws(RecorderError) {
        let useTSC: Bool
        switch choice {
        case .automatic: useTSC = TSCCalibration.shared != nil
        case .monotonic: useTSC = false
        case .timeStampCounter:
            guard TSCCalibration.shared != nil else {
                throw RecorderError(
                    code: .invalidOptions, reason: "the time-stamp counter was asked for, but this machine's is not " +
                        "usable (it needs constant_tsc and nonstop_tsc, and the kernel's tsc clock source)")
            }
            useTSC = true
        }
        if useTSC, let calibration = TSCCalibration.shared {
            source = .tsc
            nanosecondsPerTickQ32 = calibration.nanosecondsPerTickQ32
            originRaw = schedscope_rdtsc()
        } else {
            source = .monotonic
            nanosecondsPerTickQ32 = 1 << 32
            originRaw = schedscope_monotonic_ns()
        }
        originWallNanoseconds = schedscope_realtime_ns()
    }

    var traceClock: TraceClock { source == .tsc ? .calibratedTSC : .monotonic }

    /// A raw reading now, on this clock.
    func readRaw() -> UInt64 {
        source == .tsc ? schedscope_rdtsc() : schedscope_monotonic_ns()
    }

    /// Nanoseconds since the trace start of a raw reading (0 for readings before it).
    func nanoseconds(_ raw: UInt64) -> UInt64 {
        guard raw > originRaw else { return 0 }
        let ticks = raw &- originRaw
        switch source {
        case .monotonic:
            return ticks
        case .tsc:
            let product = ticks.multipliedFullWidth(by: nanosecondsPerTickQ32)
            return product.high &<< 32 | product.low &>> 32
        }
    }
}

/// How the recorder reads time.
public enum ClockChoice: Sendable, Equatable {
    /// The time-stamp counter where the kernel trusts it, else `CLOCK_MONOTONIC`.
    case automatic
    /// `CLOCK_MONOTONIC` (slower to read, available everywhere).
    case monotonic
    /// The time-stamp counter; `start` fails where it is not usable.
    case timeStampCounter
}

/// The time-stamp counter's rate, measured once per process against CLOCK_MONOTONIC.
struct TSCCalibration: Sendable {
    let nanosecondsPerTickQ32: UInt64

    /// nil when the counter is not usable for timestamps on this machine.
    static let shared: TSCCalibration? = {
        guard schedscope_has_tsc_instruction() != 0, isTrusted() else { return nil }
        return measure(spanNanoseconds: 10_000_000)
    }()

    /// Whether the kernel's view makes the counter a clock: it ticks at a constant rate
    /// (`constant_tsc`), does not stop in idle states (`nonstop_tsc`), and the kernel
    /// still lists it as a clock source (it removes a counter it finds unsynchronized).
    static func isTrusted() -> Bool {
        guard let cpuinfo = readSmallFile("/proc/cpuinfo", limit: 1 << 16),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        guard flags.contains("constant_tsc"), flags.contains("nonstop_tsc") else { return false }
        guard let sources = readSmallFile("/sys/devices/system/clocksource/clocksource0/available_clocksource", limit: 4096)
        else { return false }
        return sources.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("tsc")
    }

    /// Counts ticks over `spanNanoseconds` of CLOCK_MONOTONIC. Each end is the tightest of
    /// several (monotonic, tsc, monotonic) triples, so the error is about 50 ns over 10 ms.
    static func measure(spanNanoseconds: UInt64) -> TSCCalibration {
        func sample() -> (tsc: UInt64, ns: UInt64) {
            var best: (tsc: UInt64, ns: UInt64, width: UInt64) = (0, 0, .max)
            for _ in 0..<9 {
                let before = schedscope_monotonic_ns()
                let tsc = schedscope_rdtsc()
                let after = schedscope_monotonic_ns()
                if after - before < best.width { best = (tsc, before + (after - before) / 2, after - before) }
            }
            return (best.tsc, best.ns)
        }
        let start = sample()
        while schedscope_monotonic_ns() - start.ns < spanNanoseconds {}
        let end = sample()
        let ticks = max(end.tsc &- start.tsc, 1)
        let nanoseconds = end.ns - start.ns
        let (quotient, _) = ticks.dividingFullWidth((high: nanoseconds &>> 32, low: nanoseconds &<< 32))
        return TSCCalibration(nanosecondsPerTickQ32: quotient)
    }
}

/// Reads a small text file (procfs, sysfs) without Foundation; nil if it cannot be read.
func readSmallFile(_ path: String, limit: Int) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: limit)
    var count = 0
    while count < limit {
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, limit - count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        count += n
    }
    return String(decoding: bytes[0..<count], as: UTF8.self)
}
