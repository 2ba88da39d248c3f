/// A log record's normalized severity, ordered from least to most severe.
public enum Severity: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case unknown = 0, trace, debug, info, notice, warning, error, critical, fatal

    /// The level of an access log's line that answered with HTTP `status`: error for 5xx, warning for 4xx.
    public init(httpStatus status: Int) {
        self = status >= 500 ? .error : status >= 400 ? .warning : .info
    }

    /// Reads a level as loggers write it (`WARN`, `warning`, `E`, `err`, `panic`, syslog numbers…).
    public init(parsing text: some StringProtocol) {
        switch text.trimmingCharacters(in: " []:").lowercased() {
        case "trace", "trc", "finest", "finer", "t": self = .trace
        case "debug", "dbg", "fine", "d", "7": self = .debug
        case "info", "inf", "information", "informational", "i", "6": self = .info
        case "notice", "n", "5": self = .notice
        case "warn", "warning", "wrn", "w", "4": self = .warning
        case "error", "err", "eror", "e", "severe", "3": self = .error
        case "critical", "crit", "c", "alert", "1", "2": self = .critical
        case "fatal", "ftl", "f", "panic", "emerg", "emergency", "0": self = .fatal
        default: self = .unknown
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        case .fatal: "fatal"
        }
    }
}

private extension StringProtocol {
    func trimmingCharacters(in set: String) -> Substring {
        let characters = Set(set)
        let start = firstIndex { !characters.contains($0) } ?? endIndex
        let end = lastIndex { !characters.contains($0) }.map(index(after:)) ?? start
        return Substring(self[start..<Swift.max(start, end)])
    }
}

/// In JSON a level is its name (`"error"`), as people and other tools read it; a number is read too.
extension Severity: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self), let level = Severity(rawValue: number) {
            self = level
        } else {
            self = Severity(parsing: try container.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
