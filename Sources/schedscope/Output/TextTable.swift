/// A plain-text table with aligned columns: text columns left, numbers right.
struct TextTable {
    enum Alignment { case left, right }

    private let headers: [String]
    private let alignments: [Alignment]
    private var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines, indented by `indent` spaces, with a header row.
    func render(indent: Int = 2) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], cell.count)
            }
        }
        let pad = String(repeating: " ", count: indent)
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() where i < widths.count {
                let fill = String(repeating: " ", count: widths[i] - cell.count)
                let last = i == cells.count - 1
                switch alignments[i] {
                case .left: parts.append(last ? cell : cell + fill)
                case .right: parts.append(fill + cell)
                }
            }
            return pad + parts.joined(separator: "  ")
        }
        var out = [line(headers)]
        out.append(contentsOf: rows.map(line))
        return out.joined(separator: "\n")
    }
}
