/// A Prometheus/LogQL label set as Loki's protobuf push carries it and `logcli` prints it:
/// `{app="checkout", ns="shop"}`, values in Go string syntax (`\"`, `\\`, `\n`, `\t`, `\u00e9`...).
public enum LabelSelector {
    public struct Failure: Error, CustomStringConvertible {
        let text: String
        let problem: String
        public var description: String { "'\(text)': \(problem)" }
    }

    /// The labels of `text`, a label set and nothing else.
    public static func parse(_ text: String) throws -> [String: String] {
        let (labels, rest) = try prefix(of: text)
        guard rest.allSatisfy({ $0 == " " || $0 == "\t" }) else { throw Failure(text: text, problem: "unexpected text after '}'") }
        return labels
    }

    /// The label set `text` opens with, and the text after it.
    public static func prefix(of text: String) throws -> (labels: [String: String], rest: Substring) {
        let scalars = Array(text.unicodeScalars)
        var at = 0
        func fail(_ problem: String) -> Failure { Failure(text: text, problem: problem) }
        func skipSpace() { while at < scalars.count, scalars[at] == " " || scalars[at] == "\t" { at += 1 } }
        skipSpace()
        guard at < scalars.count, scalars[at] == "{" else { throw fail("must start with '{'") }
        at += 1
        var labels: [String: String] = [:]
        skipSpace()
        if at < scalars.count, scalars[at] == "}" {
            at += 1
        } else {
            while true {
                skipSpace()
                let start = at
                while at < scalars.count, scalars[at].properties.isAlphabetic || scalars[at] == "_" || (at > start && ("0"..."9").contains(scalars[at])) {
                    at += 1
                }
                guard at > start else { throw fail("expected a label name at character \(at)") }
                let name = String(String.UnicodeScalarView(scalars[start..<at]))
                skipSpace()
                guard at < scalars.count, scalars[at] == "=" else { throw fail("expected '=' after \(name)") }
                at += 1
                skipSpace()
                guard at < scalars.count, scalars[at] == "\"" else { throw fail("the value of \(name) must be a quoted string") }
                at += 1
                var value = String.UnicodeScalarView()
                var closed = false
                while at < scalars.count {
                    let scalar = scalars[at]
                    at += 1
                    if scalar == "\"" { closed = true; break }
                    guard scalar == "\\" else { value.append(scalar); continue }
                    guard at < scalars.count else { break }
                    let escaped = scalars[at]
                    at += 1
                    switch escaped {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "\\", "\"", "'": value.append(escaped)
                    case "u":
                        guard at + 4 <= scalars.count, let code = UInt32(String(String.UnicodeScalarView(scalars[at..<at + 4])), radix: 16),
                              let decoded = Unicode.Scalar(code) else { throw fail("bad \\u escape in the value of \(name)") }
                        value.append(decoded)
                        at += 4
                    default: throw fail("unknown escape \\\(escaped) in the value of \(name)")
                    }
                }
                guard closed else { throw fail("the value of \(name) is not closed") }
                labels[name] = String(value)
                skipSpace()
                guard at < scalars.count else { throw fail("missing '}'") }
                if scalars[at] == "," { at += 1; continue }
                guard scalars[at] == "}" else { throw fail("expected ',' or '}' at character \(at)") }
                at += 1
                break
            }
        }
        return (labels, Substring(text.unicodeScalars[text.unicodeScalars.index(text.unicodeScalars.startIndex, offsetBy: at)...]))
    }
}
