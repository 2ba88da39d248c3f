import DejaCore
import Foundation

/// `kubectl get events` (or `kubectl events`) as the table it prints: a header of column names
/// (`LAST SEEN   TYPE   REASON   OBJECT   MESSAGE`, `NAMESPACE` first with `-A`, `SUBOBJECT`,
/// `SOURCE`, `FIRST SEEN`, `COUNT` and `NAME` more with `-o wide`), each row an Event whose values
/// start where their column's name does (kubectl aligns them with a tab writer). A row is read as
/// `KubernetesEvent` reads the JSON of one; its time is its age (`5m12s`) before the file was
/// written (standard input: before it is read).
struct KubernetesEventTable {
    /// The columns a header names, each with the byte it starts at; nil for any other line.
    static func columns(_ line: String) -> [(name: String, start: Int)]? {
        guard line.hasPrefix("LAST SEEN ") || line.hasPrefix("NAMESPACE ") else { return nil }
        var columns: [(name: String, start: Int)] = []
        var offset = 0
        // Names are capitals with single spaces inside (`LAST SEEN`); two spaces or more part them.
        for part in line.utf8.split(separator: 32, omittingEmptySubsequences: false) {
            defer { offset += part.count + 1 }
            guard !part.isEmpty else { continue }
            guard part.allSatisfy({ $0 &- 65 < 26 }) else { return nil }
            let word = String(decoding: part, as: UTF8.self)
            if let last = columns.last, last.start + last.name.utf8.count + 1 == offset {
                columns[columns.count - 1].name += " " + word
            } else {
                columns.append((word, offset))
            }
        }
        let names = Set(columns.map(\.name))
        guard ["LAST SEEN", "TYPE", "REASON", "MESSAGE"].allSatisfy(names.contains), names.contains("OBJECT") || names.contains("NAME") else { return nil }
        return columns
    }

    private let columns: [(name: String, start: Int)]
    private let context: ExportContext
    /// When the table was written (nanoseconds): its ages are counted back from it.
    private let written: Int64

    init(columns: [(name: String, start: Int)], _ context: ExportContext) {
        self.columns = columns
        self.context = context
        let modified = context.path.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
        written = modified.map { Int64($0.timeIntervalSince1970 * 1e9) } ?? context.now
    }

    /// The event a row holds; none for the header (again) or a blank line.
    func add(_ line: String) -> [LogEvent] {
        guard !line.allSatisfy(\.isWhitespace), Self.columns(line) == nil else { return [] }
        let bytes = Array(line.utf8)
        var values: [String: String] = [:]
        func keep(_ value: String, as column: String) {
            let value = value.trimmingCharacters(in: .whitespaces)
            if !value.isEmpty, value != "<none>" { values[column] = value }
        }
        if columns.dropFirst().allSatisfy({ $0.start >= bytes.count || bytes[$0.start - 1] == 32 }) {
            for (index, column) in columns.enumerated() where column.start < bytes.count {
                let end = index + 1 < columns.count ? min(columns[index + 1].start, bytes.count) : bytes.count
                keep(String(decoding: bytes[column.start..<end], as: UTF8.self), as: column.name)
            }
        } else {
            // A row not aligned with the header (`--watch` prints rows as they come): its values
            // are parted by two spaces or more, the last column taking the rest.
            let parts = line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for (index, column) in columns.enumerated() where index < parts.count {
                keep(index == columns.count - 1 ? parts[index...].joined(separator: "  ") : parts[index], as: column.name)
            }
        }
        // A line that is no row (something written into the file) is kept as it is.
        guard let reason = values["REASON"], values["TYPE"] != nil else {
            return [LogEvent(timestamp: context.now, tenant: context.tenant, service: context.givenService ?? context.service, body: line)]
        }
        // `pod/api-1`; before kubectl 1.14 a `NAME` of `api-1.17c3…` with its `KIND`.
        var kind = values["KIND"], name = values["NAME"].map { String($0.prefix { $0 != "." }) } ?? "unknown"
        if let object = values["OBJECT"], let slash = object.firstIndex(of: "/") {
            kind = String(object[..<slash])
            name = String(object[object.index(after: slash)...])
        }
        let age = values["LAST SEEN"].flatMap(DurationParser.nanoseconds)
        let event = KubernetesEvent(reason: reason, note: values["MESSAGE"] ?? "", type: values["TYPE"], time: age.flatMap { EventTime.checked(written - $0) },
                                    kind: kind, name: name, container: values["SUBOBJECT"].flatMap(KubernetesEvent.container(inFieldPath:)),
                                    namespace: values["NAMESPACE"], count: values["COUNT"].flatMap { Int($0) })
        return [LogEvent(timestamp: event.time ?? context.now, tenant: context.tenant, service: context.givenService ?? event.service,
                         level: event.level, labels: event.labels, body: event.message)]
    }
}
