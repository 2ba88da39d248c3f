import ArgumentParser
import DejaCore
import DejaStore
import DejaIngest
import Foundation

/// `deja patterns`: mine templates from log lines and print them with their counts.
struct PatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "Mine recurring patterns (templates with <*> for variables) from log lines.",
        discussion: """
        Reads the FILEs in order, or standard input when none is given, and mines each event's message \
        as `deja ingest` prepares it (redacted, values as <*>, a stack trace by its shape), so the \
        patterns are those ingest would store. --message-per-line mines the raw lines instead. With \
        --data-dir, prints the patterns stored there: those mined at ingest from the tenant's signatures.
        """
    )

    @Argument(help: "Log files (standard input when none).")
    var files: [String] = []

    @Flag(help: "Mine every input line as it is (no format detection, no multi-line assembly, no redaction or normalization).")
    var messagePerLine = false

    @Option(help: "Line layout, loghub style ('<Date> <Time> <Level> <Component>: <Content>'); patterns are mined from <Content>.")
    var format: String?

    @Option(help: "Write a CSV with header LineId,EventId,EventTemplate, one row per input line.")
    var assignments: String?

    @Flag(help: "Print the patterns as JSON.")
    var json = false

    @Option(help: "Print at most N patterns.")
    var limit: Int?

    @Option(help: ArgumentHelp("Least share of a pattern's constant words a message must repeat to join it.", valueName: "share"))
    var similarity = PatternMinerOptions().similarityThreshold

    @Option(help: "Print the patterns stored in this data directory (mined at ingest) instead of mining files.")
    var dataDir: String?

    @Option(help: "Tenant whose stored patterns to print (with --data-dir).")
    var tenant = "default"

    mutating func run() throws {
        if let dataDir { return try printStored(dataDir) }
        let layout = try LineFormat.option(format)
        guard similarity > 0, similarity <= 1 else { throw ValidationError("--similarity must be in (0, 1], got \(similarity)") }
        var options = PatternMinerOptions()
        options.similarityThreshold = similarity
        let miner = PatternMiner(options: options)
        // Messages as ingest makes them (redacted, a stack trace by its shape), so that these are the
        // patterns `deja ingest` would store.
        let preparer = EventPreparer(redactor: try Redactor())
        func learn(_ body: String) -> Int {
            miner.learn(preparer.prepare(LogEvent(timestamp: 0, service: "default", body: body)).minedText)
        }
        var assembler = MultiLineAssembler()
        var lineAssignments: [Int] = []
        func mine(_ events: [AssembledEvent]) {
            // Blank lines, which are no event, take the next event's pattern.
            for event in events {
                lineAssignments += Array(repeating: learn(event.body), count: event.lastLine - lineAssignments.count)
            }
        }
        var number = 0
        for path in files.isEmpty ? [nil] : files.map(Optional.some) {
            try LineReader.forEachLine(of: path) { line in
                number += 1
                if messagePerLine {
                    lineAssignments.append(miner.learn(line))
                } else if let layout {
                    // A line without the declared layout is mined whole rather than dropped.
                    lineAssignments.append(learn(layout.parse(line)?["Content"] ?? line))
                } else {
                    mine(assembler.add(line, number: number))
                }
            }
        }
        mine(assembler.flush())
        if let last = lineAssignments.last { lineAssignments += Array(repeating: last, count: number - lineAssignments.count) }
        if let assignments {
            var csv = "LineId,EventId,EventTemplate\n"
            for (index, assigned) in lineAssignments.enumerated() {
                let id = miner.resolve(assigned)
                let template = miner.pattern(id: id)?.template ?? ""
                csv += "\(index + 1),P\(id),\(Self.csvField(template))\n"
            }
            do { try csv.write(toFile: assignments, atomically: false, encoding: .utf8) } catch {
                throw CLIError("cannot write \(assignments): \(error.localizedDescription)")
            }
        }
        let patterns = miner.patterns.prefix(limit ?? Int.max)
        var output = OutputBuffer()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for pattern in patterns {
                let row = ["id": "P\(pattern.id)", "count": String(pattern.count), "template": pattern.template]
                output.append(String(decoding: try encoder.encode(row), as: UTF8.self) + "\n")
            }
        } else {
            for pattern in patterns { output.append("\(pattern.count)\tP\(pattern.id)\t\(pattern.template)\n") }
        }
        output.flush()
    }

    /// The patterns of a data directory, most frequent first.
    private func printStored(_ path: String) throws {
        guard files.isEmpty, !messagePerLine, format == nil, assignments == nil else {
            throw ValidationError("--data-dir prints stored patterns: it takes no FILE, --message-per-line, --format or --assignments")
        }
        let patterns: [Pattern]
        do {
            patterns = try SQLiteStore(directory: try DataDirectory(existing: path)).patterns(tenant: tenant, limit: limit ?? Int.max)
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
        var output = OutputBuffer()
        if json {
            try output.appendJSONLines(patterns)
        } else {
            for pattern in patterns { output.append("\(pattern.count)\tP\(pattern.id)\t\(pattern.template)\t\(pattern.services.joined(separator: ","))\n") }
        }
        output.flush()
    }

    /// RFC 4180 quoting when the field needs it.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
