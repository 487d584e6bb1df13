import Foundation
import SchedscopeExport

/// A duration in the unit that reads best, three significant digits: `812 ns`, `12.3 µs`,
/// `4.56 ms`, `1.23 s`.
func formatDuration(_ nanoseconds: UInt64) -> String { UnitText.duration(nanoseconds) }

/// An integer with thousands separators: `12,345,678`.
func formatCount<T: BinaryInteger>(_ value: T) -> String { UnitText.count(value) }

/// A fraction as a percentage with one decimal: `12.5 %`.
func formatPercent(_ fraction: Double) -> String {
    String(format: "%.1f %%", fraction * 100)
}

/// Wall-clock time in UTC, ISO 8601 with milliseconds.
func formatWallTime(_ nanosecondsSinceEpoch: UInt64) -> String {
    let date = Date(timeIntervalSince1970: Double(nanosecondsSinceEpoch) / 1e9)
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}

/// A time range since the trace start, readable and with its two ends distinct: three
/// significant digits when that tells them apart (`40.0 ms – 50.0 ms`), otherwise seconds
/// with as many decimals as the range's length needs (`139.120 s – 139.130 s`).
func formatRange(_ start: UInt64, _ end: UInt64) -> String { UnitText.range(start, end) }
