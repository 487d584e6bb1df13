import Foundation

/// docs/FORMAT.md, found from this file's path and cut into sections and table rows, so
/// that tests can hold the normative text to the code.
struct FormatDocument {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    let lines: [String]

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SchedscopeFormatTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the package
        .appendingPathComponent("docs/FORMAT.md")

    static func load() throws -> FormatDocument {
        FormatDocument(lines: try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n"))
    }

    /// The lines under the heading that starts with `heading` (e.g. `"### Records"`), up to
    /// the next heading of any level.
    func section(_ heading: String) throws(Missing) -> ArraySlice<String> {
        guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else {
            throw Missing(description: "docs/FORMAT.md has no heading '\(heading)'")
        }
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("#") } ?? lines.endIndex
        return lines[(start + 1)..<end]
    }

    /// The body rows of the tables in `section` (header and separator rows dropped), as
    /// trimmed cells; `\|` inside a cell is a literal bar.
    func tableRows(in heading: String) throws(Missing) -> [[String]] {
        let rows = try section(heading).filter { $0.hasPrefix("|") }
        return rows.enumerated().compactMap { index, row in
            let isSeparator = row.allSatisfy { "|-: ".contains($0) }
            let isHeader = index + 1 < rows.count && rows[index + 1].allSatisfy { "|-: ".contains($0) }
            return isSeparator || isHeader ? nil : Self.cells(of: row)
        }
    }

    static func cells(of row: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var previous: Character?
        for character in row.dropFirst() {
            if character == "|" && previous != "\\" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else if character == "|" {
                current.removeLast()
                current.append(character)
            } else {
                current.append(character)
            }
            previous = character
        }
        return cells
    }

    /// The bytes of the worked example of §6: the hex in the first column of its table.
    func workedExamplePayload() throws -> [UInt8] {
        try tableRows(in: "### Worked example").flatMap { cells in
            try cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")).split(separator: " ").map { hex in
                guard let byte = UInt8(hex, radix: 16) else { throw Missing(description: "'\(hex)' is not a hex byte") }
                return byte
            }
        }
    }
}
