import Foundation

/// Numbers as the report prints them (durations, ranges and counts as every output does,
/// through `UnitText`).
enum ReportFormatting {
    /// Three significant digits in the unit that reads best (`UnitText.duration`).
    static func duration(_ nanoseconds: UInt64) -> String { UnitText.duration(nanoseconds) }

    /// A time range with its two ends distinct (`UnitText.range`).
    static func range(_ start: UInt64, _ end: UInt64) -> String { UnitText.range(start, end) }

    /// A short axis label: `0`, `500 µs`, `1.5 ms`, `2 s`.
    static func tick(_ nanoseconds: UInt64) -> String {
        guard nanoseconds > 0 else { return "0" }
        for (unit, scale) in [("s", 1e9), ("ms", 1e6), ("µs", 1e3)] where Double(nanoseconds) >= scale {
            let value = Double(nanoseconds) / scale
            return (value == value.rounded() ? String(Int(value)) : String(format: "%g", value)) + " " + unit
        }
        return "\(nanoseconds) ns"
    }

    /// `12,345,678` (`UnitText.count`).
    static func count<T: BinaryInteger>(_ value: T) -> String { UnitText.count(value) }

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
