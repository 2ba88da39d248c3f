import Foundation

/// A user-declared line layout in the loghub `log_format` style, for logs whose layout detection
/// can't know: `<Date> <Time> <Level> \[<Component>\]: <Content>`.
///
/// `<Name>` is a field, matched as little text as possible; a run of spaces matches one or more
/// whitespace characters; every other character is a regular expression, so `[ ] ( ) . ? * +` are
/// written with a backslash when meant literally (`\[<Pid>\]`), and `(\[<PID>\])?` makes a part
/// optional. `Content` is the message; the line is trimmed first.
public struct LineFormat: Sendable {
    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case noFields(String)
        case duplicateField(String)
        case invalidFieldName(String)
        case invalidExpression(String)

        public var description: String {
            switch self {
            case .noFields(let t): "format '\(t)' has no <Field>; write e.g. '<Date> <Time> <Level> <Content>'"
            case .duplicateField(let f): "format names the field <\(f)> twice"
            case .invalidFieldName(let f): "format field <\(f)> must be letters, digits or _ and start with a letter"
            case .invalidExpression(let t): "format '\(t)' is not a valid pattern (escape [ ] ( ) . ? * + with a backslash when meant literally)"
            }
        }
    }

    public let template: String
    /// Field names in order of appearance.
    public let fields: [String]
    private nonisolated(unsafe) let expression: NSRegularExpression  // immutable; matching is thread-safe

    public init(_ template: String) throws {
        var pattern = "^"
        var fields: [String] = []
        var rest = Substring(template)
        while !rest.isEmpty {
            if rest.first == "<", let close = rest.firstIndex(of: ">") {
                let name = String(rest[rest.index(after: rest.startIndex)..<close])
                guard let first = name.unicodeScalars.first, first.properties.isAlphabetic,
                      name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
                else { throw Error.invalidFieldName(name) }
                guard !fields.contains(name) else { throw Error.duplicateField(name) }
                fields.append(name)
                pattern += "(?<\(name)>.*?)"
                rest = rest[rest.index(after: close)...]
            } else if rest.first == " " {
                pattern += "\\s+"
                rest = rest.drop { $0 == " " }
            } else {
                pattern.append(rest.removeFirst())
            }
        }
        guard !fields.isEmpty else { throw Error.noFields(template) }
        pattern += "$"
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else {
            throw Error.invalidExpression(template)
        }
        self.template = template
        self.fields = fields
        self.expression = expression
    }

    /// The fields of `line`, or nil when the line does not have this layout.
    public func parse(_ line: String) -> [String: String]? {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        let range = NSRange(trimmed.startIndex..., in: trimmed)
        guard let match = expression.firstMatch(in: trimmed, options: [], range: range) else { return nil }
        var values: [String: String] = [:]
        for name in fields {
            let fieldRange = match.range(withName: name)
            if fieldRange.location != NSNotFound, let r = Range(fieldRange, in: trimmed) {
                values[name] = String(trimmed[r])
            }
        }
        return values
    }
}
