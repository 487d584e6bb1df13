import Foundation
import SchedscopeAnalysis
import SchedscopeModel

/// The report's charts as inline SVG. Every chart shares one geometry: a label margin on
/// the left, then a plot `plotWidth` units wide, scaled to the page by the browser.
enum ReportCharts {
    static let left = 56.0
    static let plotWidth = 1000.0
    static let right = 16.0
    static var width: Double { left + plotWidth + right }

    /// Ten distinguishable colours for the labels that ran longest (Tableau 10), then grey.
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#e15759", "#86bcb6"]
    static let otherColor = "#a0a7b0"

    typealias C = ReportFormatting

    // MARK: - Timeline and heat map

    struct Rows {
        let count: Int
        let height: Double
        let gap = 2.0
        let top = 6.0
        var bottom: Double { top + Double(count) * (height + gap) }
        func y(_ row: Int) -> Double { top + Double(row) * (height + gap) }

        init(count: Int) {
            self.count = count
            height = max(6, min(26, 520 / Double(max(1, count))))
        }
    }

    /// Per-P rows of columns: bar height is the busy fraction, colour the label that ran
    /// most; GC pauses are red bands across every row, steals dark ticks on top of a row.
    static func timeline(_ timeline: ReportTimeline, colors: [StringID: String], worst: ImbalanceReport.Window?) -> String {
        let columns = timeline.usedColumns
        let rows = Rows(count: timeline.cells.count)
        let columnWidth = plotWidth / Double(columns)
        let span = Double(timeline.columnNanoseconds)
        var svg = open(id: "timeline", height: rows.bottom + 28, label: "Per-P timeline")
        for row in 0..<rows.count {
            let y = rows.y(row)
            svg += "<text class=\"row\" x=\"\(C.coordinate(left - 8))\" y=\"\(C.coordinate(y + rows.height / 2 + 4))\">P\(row)</text>"
            svg += rect(left, y, plotWidth, rows.height, fill: "#eef1f4")
            let cells = timeline.cells[row]
            runs(columns) { column in
                let busy = min(1, Double(cells[column].busyNanoseconds) / span)
                let height = (busy * rows.height * 2).rounded() / 2
                return height == 0 ? nil : "\(height)|\(colors[cells[column].dominantLabel] ?? otherColor)"
            } draw: { first, count, key in
                let parts = key.split(separator: "|")
                let height = Double(parts[0])!
                svg += rect(left + Double(first) * columnWidth, y + rows.height - height, Double(count) * columnWidth, height, fill: String(parts[1]))
            }
            runs(columns) { cells[$0].steals > 0 ? "s" : nil } draw: { first, count, _ in
                svg += rect(left + Double(first) * columnWidth, y, max(Double(count) * columnWidth, 1.5), min(3, rows.height / 3), fill: "#1f2328")
            }
        }
        runs(columns) { column in
            let fraction = min(1, Double(timeline.pauseNanoseconds[column]) / span)
            return fraction == 0 ? nil : String(format: "%.2f", 0.2 + 0.5 * fraction)
        } draw: { first, count, opacity in
            svg += "<rect class=\"gc\" x=\"\(C.coordinate(left + Double(first) * columnWidth))\" y=\"\(C.coordinate(rows.top - 3))\" width=\"\(C.coordinate(max(Double(count) * columnWidth, 1)))\" height=\"\(C.coordinate(rows.bottom - rows.top + 3))\" fill=\"#d62728\" fill-opacity=\"\(opacity)\"/>"
        }
        if let worst { svg += window(worst, timeline: timeline, rows: rows, label: nil) }
        svg += axis(timeline, y: rows.bottom)
        return svg + "</svg>"
    }

    /// Per-P utilization per column as colour (white: idle, dark blue: busy), with the worst
    /// imbalance window outlined.
    static func heatmap(_ timeline: ReportTimeline, worst: ImbalanceReport.Window?) -> String {
        let columns = timeline.usedColumns
        let rows = Rows(count: timeline.cells.count)
        let columnWidth = plotWidth / Double(columns)
        let span = Double(timeline.columnNanoseconds)
        var svg = open(id: "heatmap", height: rows.bottom + 28, label: "Per-P utilization heat map")
        for row in 0..<rows.count {
            let y = rows.y(row)
            svg += "<text class=\"row\" x=\"\(C.coordinate(left - 8))\" y=\"\(C.coordinate(y + rows.height / 2 + 4))\">P\(row)</text>"
            let cells = timeline.cells[row]
            runs(columns) { column in
                String(Int((min(1, Double(cells[column].busyNanoseconds) / span) * 10).rounded()))
            } draw: { first, count, level in
                svg += rect(left + Double(first) * columnWidth, y, Double(count) * columnWidth, rows.height, fill: heat(Int(level)!))
            }
        }
        if let worst {
            svg += window(worst, timeline: timeline, rows: rows,
                          label: "worst window · max/mean \(C.ratio(worst.maxOverMean))")
        }
        svg += axis(timeline, y: rows.bottom)
        return svg + "</svg>"
    }

    /// The colour of utilization level 0…10.
    static func heat(_ level: Int) -> String {
        let scale = ["#f7fbff", "#e3eef9", "#cfe1f2", "#b5d4e9", "#93c3df", "#6daed5", "#4b97c9", "#2f7ebc", "#1864aa", "#0a4a90", "#08306b"]
        return scale[max(0, min(10, level))]
    }

    private static func window(_ worst: ImbalanceReport.Window, timeline: ReportTimeline, rows: Rows, label: String?) -> String {
        let total = Double(timeline.coveredNanoseconds)
        let x0 = left + plotWidth * min(1, Double(worst.start) / total)
        let x1 = left + plotWidth * min(1, Double(worst.end) / total)
        var svg = "<rect class=\"worst\" x=\"\(C.coordinate(x0))\" y=\"\(C.coordinate(rows.top - 4))\" width=\"\(C.coordinate(max(2, x1 - x0)))\" height=\"\(C.coordinate(rows.bottom - rows.top + 5))\"/>"
        if let label {
            let anchor = x0 > left + plotWidth * 0.7 ? "end" : "start"
            svg += "<text class=\"note\" x=\"\(C.coordinate(anchor == "end" ? x1 : x0))\" y=\"\(C.coordinate(rows.bottom + 24))\" text-anchor=\"\(anchor)\">\(TextEscaping.html(label))</text>"
        }
        return svg
    }

    private static func axis(_ timeline: ReportTimeline, y: Double) -> String {
        let total = timeline.coveredNanoseconds
        let step = C.niceStep(total, target: 8)
        var svg = "<line class=\"axis\" x1=\"\(C.coordinate(left))\" x2=\"\(C.coordinate(left + plotWidth))\" y1=\"\(C.coordinate(y))\" y2=\"\(C.coordinate(y))\"/>"
        var tick: UInt64 = 0
        while tick <= total {
            let x = left + plotWidth * Double(tick) / Double(max(1, total))
            svg += "<line class=\"axis\" x1=\"\(C.coordinate(x))\" x2=\"\(C.coordinate(x))\" y1=\"\(C.coordinate(y))\" y2=\"\(C.coordinate(y + 4))\"/>"
            svg += "<text class=\"tick\" x=\"\(C.coordinate(x))\" y=\"\(C.coordinate(y + 14))\">\(C.tick(tick))</text>"
            let (next, overflow) = tick.addingReportingOverflow(step)
            if overflow { break }
            tick = next
        }
        return svg
    }

    // MARK: - Distributions

    /// A histogram of durations on a log axis, four bins per decade, with percentile markers.
    static func distribution(_ histogram: LogLinearHistogram, id: String, label: String, markers: [(String, UInt64)]) -> String {
        let buckets = histogram.buckets
        guard let first = buckets.first, let last = buckets.last else {
            return "<p class=\"empty\">No samples.</p>"
        }
        // Bin k holds values in [10^(k/4), 10^((k+1)/4)) ns; 0 ns counts with 1 ns.
        func bin(_ value: UInt64) -> Int { Int(floor(log10(Double(max(1, value))) * 4 + 1e-9)) }
        let lowBin = bin(first.lowest), highBin = max(bin(last.highest), lowBin + 3)
        var counts = [UInt64](repeating: 0, count: highBin - lowBin + 1)
        for bucket in buckets { counts[min(bin(bucket.lowest), highBin) - lowBin] += bucket.count }
        let peak = Double(counts.max() ?? 1)
        let height = 180.0, top = 18.0
        let binWidth = plotWidth / Double(counts.count)
        var svg = open(id: id, height: top + height + 30, label: label)
        svg += "<line class=\"axis\" x1=\"\(C.coordinate(left))\" x2=\"\(C.coordinate(left + plotWidth))\" y1=\"\(C.coordinate(top + height))\" y2=\"\(C.coordinate(top + height))\"/>"
        svg += "<text class=\"tick\" x=\"\(C.coordinate(left - 6))\" y=\"\(C.coordinate(top + 4))\" text-anchor=\"end\">\(C.count(UInt64(peak)))</text>"
        svg += "<text class=\"tick\" x=\"\(C.coordinate(left - 6))\" y=\"\(C.coordinate(top + height))\" text-anchor=\"end\">0</text>"
        for (index, count) in counts.enumerated() where count > 0 {
            let barHeight = max(1, Double(count) / peak * height)
            let x = left + Double(index) * binWidth
            let low = pow(10, Double(index + lowBin) / 4), high = pow(10, Double(index + lowBin + 1) / 4)
            svg += "<rect class=\"bar\" x=\"\(C.coordinate(x + 1))\" y=\"\(C.coordinate(top + height - barHeight))\" width=\"\(C.coordinate(max(1, binWidth - 2)))\" height=\"\(C.coordinate(barHeight))\"><title>\(C.duration(C.saturating(low))) – \(C.duration(C.saturating(high))): \(C.count(count))</title></rect>"
        }
        // Decade labels.
        for index in 0...counts.count where (index + lowBin) % 4 == 0 {
            let x = left + Double(index) * binWidth
            svg += "<line class=\"axis\" x1=\"\(C.coordinate(x))\" x2=\"\(C.coordinate(x))\" y1=\"\(C.coordinate(top + height))\" y2=\"\(C.coordinate(top + height + 4))\"/>"
            svg += "<text class=\"tick\" x=\"\(C.coordinate(x))\" y=\"\(C.coordinate(top + height + 16))\">\(C.tick(C.saturating(pow(10, Double((index + lowBin) / 4)))))</text>"
        }
        for (index, (name, value)) in markers.enumerated() {
            let position = (log10(Double(max(1, value))) * 4 - Double(lowBin)) / Double(counts.count)
            let x = left + plotWidth * min(1, max(0, position))
            svg += "<line class=\"marker\" x1=\"\(C.coordinate(x))\" x2=\"\(C.coordinate(x))\" y1=\"\(C.coordinate(top - 4))\" y2=\"\(C.coordinate(top + height))\"/>"
            // Near the right edge the label goes to the left of its line, so it is not cut off.
            let leftward = x > left + plotWidth * 0.85
            svg += "<text class=\"marker\" x=\"\(C.coordinate(leftward ? x - 3 : x + 3))\" y=\"\(C.coordinate(top + 8 + Double(index) * 13))\"\(leftward ? " text-anchor=\"end\"" : "")>\(name) \(C.duration(value))</text>"
        }
        return svg + "</svg>"
    }

    // MARK: - Pieces

    private static func open(id: String, height: Double, label: String) -> String {
        "<svg id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(C.coordinate(width)) \(C.coordinate(height))\" role=\"img\" aria-label=\"\(TextEscaping.html(label))\" preserveAspectRatio=\"xMinYMin meet\">"
    }

    private static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String) -> String {
        "<rect x=\"\(C.coordinate(x))\" y=\"\(C.coordinate(y))\" width=\"\(C.coordinate(width))\" height=\"\(C.coordinate(height))\" fill=\"\(fill)\"/>"
    }

    /// Groups consecutive columns with the same key (nil: draw nothing) and draws each run
    /// once, so a long steady stretch is one element, not hundreds.
    private static func runs(_ columns: Int, key: (Int) -> String?, draw: (Int, Int, String) -> Void) {
        var start = 0
        var current: String? = nil
        for column in 0...columns {
            let next = column < columns ? key(column) : nil
            if next != current || column == columns {
                if let current { draw(start, column - start, current) }
                current = next
                start = column
            }
        }
    }
}
