import Foundation

/// Numbers as the report prints them (the CLI's text output uses the same conventions).
enum ReportFormatting {
    /// Three significant digits in the unit that reads best: `812 ns`, `12.3 µs`, `4.56 ms`.
    static func duration(_ nanoseconds: UInt64) -> String {
        let units: [(String, Double)] = [("ns", 1), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
        var index = 0
        while index < units.count - 1 && Double(nanoseconds) >= units[index + 1].1 * 0.9995 { index += 1 }
        if index == 0 { return "\(nanoseconds) ns" }
        let value = Double(nanoseconds) / units[index].1
        let digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2
        return String(format: "%.\(digits)f %@", value, units[index].0)
    }

    /// A time range with its two ends distinct: three significant digits when that tells
    /// them apart (`40.0 ms – 50.0 ms`), otherwise seconds with as many decimals as the
    /// range's length needs (`26.020 s – 26.030 s`), as the CLI prints ranges.
    static func range(_ start: UInt64, _ end: UInt64) -> String {
        let from = duration(start), to = duration(end)
        if from != to || start == end { return "\(from) – \(to)" }
        let length = Double(end - start) / 1e9
        let decimals = min(9, max(0, Int((-log10(length)).rounded(.up)) + 1))
        return String(format: "%.\(decimals)f s – %.\(decimals)f s", Double(start) / 1e9, Double(end) / 1e9)
    }

    /// A short axis label: `0`, `500 µs`, `1.5 ms`, `2 s`.
    static func tick(_ nanoseconds: UInt64) -> String {
        guard nanoseconds > 0 else { return "0" }
        for (unit, scale) in [("s", 1e9), ("ms", 1e6), ("µs", 1e3)] where Double(nanoseconds) >= scale {
            let value = Double(nanoseconds) / scale
            return (value == value.rounded() ? String(Int(value)) : String(format: "%g", value)) + " " + unit
        }
        return "\(nanoseconds) ns"
    }

    /// `12,345,678`.
    static func count<T: BinaryInteger>(_ value: T) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, character) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    static func percent(_ fraction: Double) -> String {
        fraction.isFinite ? String(format: "%.1f %%", fraction * 100) : "–"
    }

    static func ratio(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2f", value) : "–"
    }

    /// A coordinate in the SVG: at most one decimal, no trailing zeros.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// A non-negative double as nanoseconds, capped at the largest `UInt64`.
    static func saturating(_ value: Double) -> UInt64 {
        value >= 18_446_744_073_709_551_615.0 ? .max : value <= 0 || value.isNaN ? 0 : UInt64(value)
    }

    /// A round step for an axis over `span` with about `target` ticks: 1, 2 or 5 × 10^k.
    static func niceStep(_ span: UInt64, target: Int) -> UInt64 {
        let raw = max(1, Double(span) / Double(max(1, target)))
        let magnitude = pow(10, floor(log10(raw)))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw {
            return max(1, UInt64(factor * magnitude))
        }
        return max(1, UInt64(10 * magnitude))
    }
}
