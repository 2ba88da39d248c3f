import DejaCore

/// The log export a file opens with, read by record as a log store's entries: JSON documents
/// (`JSONExport`), values under a header row (`CSVExport`), Grafana Explore's text download
/// (`GrafanaTextDownload`) or `kubectl get events`' table (`KubernetesEventTable`). `deja ingest`
/// and `deja parse` read a file's export through it alike.
public struct LogExport {
    // One of the four is set; each is mutated in place (an enum's payload would be copied per line).
    private var documents: JSONExport?
    private var table: CSVExport?
    private var download: GrafanaTextDownload?
    private var eventTable: KubernetesEventTable?

    /// The export a file whose first line with text is `line` opens, or nil: the file is text.
    public init?(opening line: String, _ context: ExportContext) {
        if JSONExport.opens(line) {
            documents = JSONExport(context)
        } else if let header = CSVExport.header(line) {
            table = CSVExport(header: header, context)
        } else if GrafanaTextDownload.opens(line) {
            download = GrafanaTextDownload(context)
        } else if let columns = KubernetesEventTable.columns(line) {
            eventTable = KubernetesEventTable(columns: columns, context)
        } else {
            return nil
        }
    }

    /// Reads line `number` (the first included), handing over the events it completes. Returns false
    /// when the line is not the export's (text after JSON documents): the export has ended, what it
    /// held handed over, and the line is the file's text. A record that cannot be read throws
    /// `InvalidExport` once the events before it are handed over.
    public mutating func read(_ line: String, number: Int, into handOver: (LogEvent) throws -> Void) throws -> Bool {
        let events: [LogEvent]?
        do {
            if documents != nil {
                events = try documents!.add(line, number: number)
            } else if table != nil {
                events = try table!.add(line, number: number)
            } else if download != nil {
                events = download!.add(line)
            } else {
                events = eventTable!.add(line)
            }
        } catch let invalid as InvalidExport {
            try drain(into: handOver)
            throw invalid
        }
        guard let events else {
            try drain(into: handOver)
            return false
        }
        for event in events { try handOver(event) }
        return true
    }

    /// The end of the file: hands over the last records, or throws `InvalidExport` for a record left
    /// open, once the records before it are handed over.
    public mutating func finish(into handOver: (LogEvent) throws -> Void) throws {
        do {
            let events = try documents?.finish() ?? table?.finish() ?? download?.drain() ?? []
            for event in events { try handOver(event) }
        } catch let invalid as InvalidExport {
            try drain(into: handOver)
            throw invalid
        }
    }

    /// Hands over the records read and held for a record's next line: when the input has gone
    /// quiet, or after an error.
    public mutating func drain(into handOver: (LogEvent) throws -> Void) throws {
        let events = documents?.drain() ?? table?.drain() ?? download?.drain() ?? []
        for event in events { try handOver(event) }
    }
}
