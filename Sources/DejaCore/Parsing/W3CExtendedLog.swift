/// The W3C extended log file format (IIS, Windows Firewall, CloudFront's standard logs, Exchange's
/// tracking logs): `#` directives (`#Fields: date time cs-method … sc-status …`) describe the lines
/// after them, which hold one value per field, separated by spaces or tabs
/// (https://www.w3.org/TR/WD-logfile.html). A directive is not an event; a line's level is its
/// status class, as for other access logs.
enum W3CExtendedLog {
    /// The directives of the W3C draft, and those IIS's and the Windows Firewall's and Exchange's logs add.
    static let directives: Set<Substring> = ["Version", "Fields", "Software", "Start-Date", "End-Date", "Date", "Remark", "Time Format", "Log-type"]
    /// The fields that hold the status a server answered with (IIS and CloudFront `sc-status`).
    static let statusFields: Set<Substring> = ["sc-status", "cs-status", "status"]

    /// A directive line: its name and what follows the colon; nil for any other line.
    static func directive(_ line: String) -> (name: Substring, value: Substring)? {
        guard line.utf8.first == UInt8(ascii: "#"), let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[line.index(after: line.startIndex)..<colon]
        guard directives.contains(name) else { return nil }
        return (name, line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
    }

    /// Where a `#Fields:` directive puts a line's values that Deja reads.
    struct Fields: Sendable, Equatable {
        var date: Int?
        var time: Int?
        var status: Int?

        init(_ directive: Substring) {
            let names = directive.split(whereSeparator: { $0 == " " || $0 == "\t" })
            date = names.firstIndex(of: "date")
            time = names.firstIndex(of: "time")
            status = names.firstIndex(where: statusFields.contains)
        }
    }

    /// The level of a line: error for a 5xx status, warning for 4xx; nil without a status.
    static func level(_ line: String, _ fields: Fields) -> Severity? {
        guard let field = fields.status else { return nil }
        let values = line.split(maxSplits: field + 1, whereSeparator: { $0 == " " || $0 == "\t" })
        guard values.count > field, let code = Int(values[field]), (100...599).contains(code) else { return nil }
        return Severity(httpStatus: code)
    }

    /// The time of a line whose date and time are values of their own (CloudFront separates them
    /// by a tab, which no header reading takes for one timestamp).
    static func timestamp(_ line: String, _ fields: Fields, scanner: TimestampScanner) -> Int64? {
        guard let date = fields.date, let time = fields.time else { return nil }
        let values = line.split(maxSplits: max(date, time) + 1, whereSeparator: { $0 == " " || $0 == "\t" })
        guard values.count > max(date, time) else { return nil }
        return scanner.timestamp(in: values[date] + " " + values[time])
    }
}
