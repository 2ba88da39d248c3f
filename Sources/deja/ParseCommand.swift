import ArgumentParser
import DejaCore
import Foundation

/// `deja parse`: show how Deja reads each line — its fields under a declared `--format`.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print the fields of each log line as JSON, one object per line.",
        discussion: """
        With --format, a line that does not have the declared layout is printed as \
        {"unmatched": LINE} and counted on standard error.
        """
    )

    @Argument(help: "Log files (standard input when none).")
    var files: [String] = []

    @Option(help: "Line layout, loghub style: '<Date> <Time> <Level> \\[<Component>\\]: <Content>'.")
    var format: String

    mutating func run() throws {
        let layout = try LineFormat.option(format)!
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = OutputBuffer()
        var unmatched = 0
        for path in files.isEmpty ? [nil] : files.map(Optional.some) {
            for line in try LineReader(path: path) {
                let fields: [String: String]
                if let parsed = layout.parse(line) {
                    fields = parsed
                } else {
                    fields = ["unmatched": line]
                    unmatched += 1
                }
                output.append(String(decoding: try encoder.encode(fields), as: UTF8.self) + "\n")
                output.flushIfLarge()
            }
        }
        output.flush()
        if unmatched > 0 { FileHandle.standardError.write(Data("\(unmatched) lines did not match the format\n".utf8)) }
    }
}
