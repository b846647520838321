import PerfusionFitting

/// How the cells of a column are typed: what is written, and how a cell is read back from our own files.
enum CellType: Sendable, Equatable {
    /// Free text (names, statuses, reasons).
    case text
    /// A number with up to 7 significant digits; empty when not computable.
    case number
    /// A whole number.
    case integer
}

/// One column of an output table, declared once: its name (snake_case with a unit suffix), unit, meaning,
/// cell type, and how its value is obtained from the typed row. Writers, the readers of our own results and
/// the README's column tables all come from these declarations.
struct Column<Row>: Sendable {
    let name: String
    /// Unit as documented (`s`, `a.u.`, `%`; empty for names, flags and counts without a unit).
    let unit: String
    /// What the column holds, in words.
    let meaning: String
    let type: CellType
    let value: @Sendable (Row) -> CSVCell

    init(
        _ name: String, _ unit: String, _ meaning: String, type: CellType = .number,
        _ value: @escaping @Sendable (Row) -> CSVCell
    ) {
        self.name = name
        self.unit = unit
        self.meaning = meaning
        self.type = type
        self.value = value
    }

    /// A text column.
    static func text(_ name: String, _ meaning: String, _ value: @escaping @Sendable (Row) -> String?) -> Column {
        Column(name, "", meaning, type: .text) { value($0).map(CSVCell.text) ?? .empty }
    }

    /// A whole-number column.
    static func integer(_ name: String, _ unit: String, _ meaning: String, _ value: @escaping @Sendable (Row) -> Int?)
        -> Column
    {
        Column(name, unit, meaning, type: .integer) { value($0).map(CSVCell.integer) ?? .empty }
    }

    /// A number column (empty cell for nil or a non-finite value).
    static func number(
        _ name: String, _ unit: String, _ meaning: String, _ value: @escaping @Sendable (Row) -> Double?
    ) -> Column {
        Column(name, unit, meaning, type: .number) { value($0).map(CSVCell.number) ?? .empty }
    }

    /// The same column for another row type (for tables that wrap rows with leading columns).
    func pulledBack<Outer>(_ inner: @escaping @Sendable (Outer) -> Row) -> Column<Outer> {
        let value = self.value
        return Column<Outer>(name, unit, meaning, type: type) { value(inner($0)) }
    }
}

/// The columns of one output table, in order. Columns are only ever added at the end, never renamed.
struct TableSchema<Row>: Sendable {
    /// File name of the table (`parameters.csv`).
    let file: String
    let columns: [Column<Row>]
    /// Each column's value, apart from its name and documentation: a row's cells are made from these without copying
    /// a column's three strings out of ``columns`` for every cell (a reference count up and down on each).
    private let values: [@Sendable (Row) -> CSVCell]

    init(file: String, columns: [Column<Row>]) {
        precondition(Set(columns.map(\.name)).count == columns.count, "\(file): repeated column names")
        self.file = file
        self.columns = columns
        self.values = columns.map(\.value)
    }

    /// Column names in order (the header line).
    var names: [String] { columns.map(\.name) }

    /// The cells of one row, in column order.
    func cells(_ row: Row) -> [CSVCell] {
        values.withUnsafeBufferPointer { values in
            [CSVCell](unsafeUninitializedCapacity: values.count) { cells, count in
                for k in values.indices { (cells.baseAddress! + k).initialize(to: values[k](row)) }
                count = values.count
            }
        }
    }

    /// Appends the cells of `row` (``CSVTable``'s text, separated by commas, no line end).
    func write(_ row: Row, to bytes: inout [UInt8]) {
        values.withUnsafeBufferPointer { values in
            for k in values.indices {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                CSVTable.append(values[k](row), to: &bytes)
            }
        }
    }

    /// The CSV text of `count` rows, row `i` made by `row(i)`: the bytes `table(...).render()` gives, with each row's
    /// cells written as they are made (no table of cells in between), blocks of rows on every core.
    func render(count: Int, _ row: @Sendable (Int) -> Row) -> [UInt8] {
        let schema = self
        return CSVTable.renderBytes(columns: names, count: count) { i, bytes in schema.write(row(i), to: &bytes) }
    }

    /// The table of `rows`.
    func table(_ rows: some Sequence<Row>) -> CSVTable {
        var table = CSVTable(columns: names)
        for row in rows { table.append(cells(row)) }
        return table
    }

    /// The table of `rows`, their cells made on every core (blocks of rows, joined in order: the same table).
    func table(_ rows: [Row]) -> CSVTable where Row: Sendable {
        var table = CSVTable(columns: names)
        let schema = self
        let cells = orderedParallelMap(rows.count, threads: BatchFitter.coreCount, chunk: 64) { schema.cells(rows[$0]) }
        for row in cells { table.append(row) }
        return table
    }

    /// Typed cells of a row read back from one of our own files (`fields` in column order): numbers and
    /// integers parsed, empty fields empty. Writing them again gives the same bytes.
    func typedCells(_ fields: [String]) -> [CSVCell] {
        zip(columns, fields).map { column, field in
            guard !field.isEmpty else { return .empty }
            switch column.type {
            case .text: return .text(field)
            case .number: return Double(field).map(CSVCell.number) ?? .text(field)
            case .integer: return Int(field).map(CSVCell.integer) ?? .text(field)
            }
        }
    }

    /// The columns as a Markdown table (`column | unit | meaning`), as the README documents them. A standard
    /// error column `x_se` shares the row of its value `x`.
    var markdown: String {
        var lines = ["| column | unit | meaning |", "| --- | --- | --- |"]
        var i = 0
        while i < columns.count {
            let c = columns[i]
            var names = "`\(c.name)`"
            if i + 1 < columns.count, columns[i + 1].name == c.name + "_se" {
                names += ", `\(c.name)_se`"
                i += 1
            }
            lines.append("| \(names) | \(c.unit) | \(c.meaning) |")
            i += 1
        }
        return lines.joined(separator: "\n")
    }
}
