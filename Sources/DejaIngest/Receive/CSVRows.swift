/// The rows of comma- or tab-separated values (RFC 4180), fed a line at a time: a quoted value may
/// hold the separator, `""` for a quote, and line breaks (a stack trace in one cell), so a row may
/// span many lines. Lenient where exporters are: a quote inside an unquoted value is kept as text.
struct CSVRows {
    /// A row whose quoted value was still open after this many bytes: the quote is stray, and
    /// reading on would take the rest of the file into one value.
    static let maxRowBytes = 1 << 20

    enum Failure: Error {
        /// A quoted value that opened on `line` was not closed by the end of the input.
        case unclosedQuote(line: Int)
        /// A quoted value that opened on `line` was still open after `maxRowBytes`.
        case rowTooLong(line: Int)
    }

    let delimiter: UInt8
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var quoted = false
    private var quoteOpenedOn = 0
    private var rowBytes = 0

    init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// Reads line `number`; returns its row's values when the line completes a row.
    mutating func add(_ line: String, number: Int) throws -> [String]? {
        let utf8 = line.utf8
        rowBytes += utf8.count
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            utf8.formIndex(after: &index)
            if quoted {
                guard byte == UInt8(ascii: "\"") else {
                    field.append(byte)
                    continue
                }
                if index < utf8.endIndex, utf8[index] == UInt8(ascii: "\"") {
                    field.append(byte)
                    utf8.formIndex(after: &index)
                } else {
                    quoted = false
                }
            } else if byte == delimiter {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else if byte == UInt8(ascii: "\""), field.isEmpty {
                quoted = true
                quoteOpenedOn = number
            } else {
                field.append(byte)
            }
        }
        if field.last == 13 { field.removeLast() }  // a CRLF's CR
        if quoted {
            guard rowBytes <= Self.maxRowBytes else { throw Failure.rowTooLong(line: quoteOpenedOn) }
            field.append(10)  // a line break inside a quoted value is part of it
            return nil
        }
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        rowBytes = 0
        defer { fields.removeAll(keepingCapacity: true) }
        return fields
    }

    /// The end of the input: a quoted value left open is an error.
    func finish() throws {
        if quoted { throw Failure.unclosedQuote(line: quoteOpenedOn) }
    }
}
