import DejaCore

/// What the records of a log export (`JSONExport`, `CSVExport`) become events with.
public struct ExportContext: Sendable {
    let parser: LineParser
    /// The file; nil for standard input.
    let path: String?
    /// The file, as an error names it.
    var file: String { path ?? "standard input" }
    /// The service of records that name none.
    let service: String
    /// The service of every record (`deja ingest --service`).
    let givenService: String?
    let tenant: String
    /// The time of records that carry none.
    let now: Int64

    public init(parser: LineParser, path: String?, service: String, givenService: String?, tenant: String, now: Int64) {
        self.parser = parser
        self.path = path
        self.service = service
        self.givenService = givenService
        self.tenant = tenant
        self.now = now
    }
}

/// A log export's record that cannot be read: the run stops there, what came before it handed over.
public struct InvalidExport: Error, CustomStringConvertible {
    let file: String
    /// What the file's first line made of it (`opens as a log export of JSON documents`).
    let kind: String
    let reason: String
    /// What the user can do about it.
    let remedy: String
    public var description: String { "\(file) \(kind), and \(reason). \(remedy)" }
}
