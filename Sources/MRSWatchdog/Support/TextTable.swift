/// A plain-text table with left-aligned columns, for `explain`, `jobs` and `clusters`.
package struct TextTable: Sendable {
    package var header: [String]
    package var rows: [[String]] = []

    package init(header: [String]) {
        self.header = header
    }

    /// Adds a row; each cell is made one safe line (`SafeText.line`), so a field cannot break the table.
    package mutating func add(_ row: [String]) { rows.append(row.map(SafeText.line)) }

    package func render() -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
