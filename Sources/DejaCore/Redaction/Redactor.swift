import Foundation

/// Kinds of secret the redactor removes from log text before it is embedded or stored.
public enum RedactionRule: String, Sendable, Codable, CaseIterable {
    /// `-----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY-----`, or a block cut off before its end.
    case privateKey
    /// JSON Web Tokens: `eyJ….eyJ….signature`.
    case jwt
    /// `Bearer …` and `Basic …` credentials.
    case bearerToken
    /// The password in `scheme://user:password@host`.
    case urlPassword
    /// Cloud and SaaS keys with a recognizable shape: AWS, Google, GitHub, Slack, Stripe.
    case cloudKey
    /// Values of `password=`, `api_key:`, `"secret": "…"` and similar keys (any prefix: `DB_PASSWORD=`).
    case keyValueSecret
    /// Payment card numbers: 13 to 19 digits, spaces or dashes allowed, Luhn-checked.
    case cardNumber
}

/// Removes secrets from log text, replacing each with `<redacted>`. Rules run in a fixed order
/// (key blocks first, cards last); each is skipped when a cheap check shows it cannot apply.
public struct Redactor: Sendable {
    public static let replacement = "<redacted>"

    private struct Rule: @unchecked Sendable {
        // @unchecked: NSRegularExpression is immutable and safe to share once built.
        let kind: RedactionRule?
        let expression: NSRegularExpression
        /// Capture group to replace; 0 for the whole match.
        let group: Int
        /// Lower-cased substrings (as bytes) of which one must occur for the rule to be tried.
        let triggers: [[UInt8]]
        var check = Check.trigger
    }

    /// The cheap test that spares most lines a rule's regular expression.
    private enum Check {
        /// A trigger occurs.
        case trigger
        /// A trigger is part of a key assigned a value: `…key` + `[\w.-]*` + `["']?\s*[=:]`.
        case assignment
        /// A `://` is followed by `user:password@` before the path.
        case urlCredentials
    }

    private static let urlSeparator = Array("://".utf8)

    /// True when some `://` is followed by a `:` and then an `@` before any `/` or space, as a URL
    /// with a password is: most URLs in logs have none, and skip the regular expression.
    private static func containsURLCredentials(_ text: [UInt8]) -> Bool {
        var start = 0
        while let found = find(urlSeparator, in: text, from: start) {
            start = found + 3
            var colon = false
            var i = start
            while i < text.count, text[i] != 47, text[i] != 32, text[i] &- 9 >= 5 {
                if text[i] == 58 { colon = true } else if text[i] == 64 && colon { return true }
                i += 1
            }
        }
        return false
    }

    /// True when some trigger occurs in a word that is followed by `=` or `:`, as in `db_password =`
    /// or `"apiKey":` — a cheap test that spares most lines the regular expression.
    private static func containsAssignment(_ text: [UInt8], _ triggers: [[UInt8]]) -> Bool {
        for trigger in triggers {
            var start = 0
            while let found = find(trigger, in: text, from: start) {
                start = found + 1
                var i = found + trigger.count
                while i < text.count, isWordByte(text[i]) || text[i] &- 48 < 10 || text[i] == 46 || text[i] == 45 { i += 1 }
                if i < text.count, text[i] == 34 || text[i] == 39 { i += 1 }
                while i < text.count, text[i] == 32 || text[i] &- 9 < 5 { i += 1 }  // \s: space, \t \n \v \f \r
                if i < text.count, text[i] == 61 || text[i] == 58 { return true }
            }
        }
        return false
    }

    /// Where `needle` first occurs in `haystack` at or after `start`: libc's vectorized `memchr`
    /// finds candidates for its first byte.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pin -> Int? in
                let base = hay.baseAddress!
                var position = start
                while position + pin.count <= hay.count {
                    guard let hit = memchr(base + position, Int32(pin[0]), hay.count - pin.count + 1 - position) else { return nil }
                    let offset = UnsafeRawPointer(hit) - base
                    if memcmp(base + offset, pin.baseAddress!, pin.count) == 0 { return offset }
                    position = offset + 1
                }
                return nil
            }
        }
    }

    private let rules: [Rule]

    /// A redactor with `rules` (all by default) plus `extraPatterns`, regular expressions whose whole
    /// match is redacted. Throws when an extra pattern is not a valid regular expression.
    public init(rules enabled: Set<RedactionRule> = Set(RedactionRule.allCases), extraPatterns: [String] = []) throws {
        func rule(_ kind: RedactionRule, _ pattern: String, group: Int = 0, triggers: [String], check: Check = .trigger) -> Rule {
            Rule(kind: kind, expression: try! NSRegularExpression(pattern: pattern), group: group, triggers: triggers.map { Array($0.utf8) },
                 check: check)
        }
        let keyNames = "password|passwd|pwd|passphrase|secret|client_secret|token|access_token|refresh_token|id_token|auth_token"
            + "|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret[_-]?(?:access[_-]?)?key|private[_-]?key|credentials?"
        let builtIn = [
            rule(.privateKey, "-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----|[\\s\\S]*)",
                 triggers: ["private key-----"]),
            rule(.jwt, "\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}", triggers: ["eyj"]),
            rule(.bearerToken, "(?i)\\b(?:bearer|basic)\\s+([A-Za-z0-9._~+/=-]{8,})", group: 1, triggers: ["bearer", "basic"]),
            rule(.urlPassword, "\\b[A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]*:([^/\\s@]+)@", group: 1, triggers: ["://"],
                 check: .urlCredentials),
            rule(.cloudKey, "\\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abprs]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{20,})\\b",
                 triggers: ["akia", "asia", "aiza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "_live_"]),
            rule(.keyValueSecret, "(?i)\\b[\\w.-]*?(?:\(keyNames))[\"']?\\s*[=:]\\s*[\"']?([^\\s\"',;&}<]+)", group: 1,
                 triggers: ["pass", "pwd", "secret", "token", "key", "credential"], check: .assignment),
        ]
        var rules = builtIn.filter { enabled.contains($0.kind!) }
        for pattern in extraPatterns {
            guard let expression = try? NSRegularExpression(pattern: pattern) else {
                throw RedactorError.invalidPattern(pattern)
            }
            rules.append(Rule(kind: nil, expression: expression, group: 0, triggers: []))
        }
        self.rules = rules
        self.redactsCards = enabled.contains(.cardNumber)
    }

    private let redactsCards: Bool

    /// `text` with every secret replaced by `<redacted>`.
    public func redact(_ text: String) -> String {
        var result = text
        var lowered: [UInt8]?
        for rule in rules {
            if !rule.triggers.isEmpty {
                // ASCII lower-casing of the bytes: triggers are ASCII, and this costs a fraction of
                // String.lowercased() plus Foundation's substring search.
                if lowered == nil { lowered = result.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 } }
                let applies = switch rule.check {
                case .trigger: rule.triggers.contains(where: { Self.find($0, in: lowered!) != nil })
                case .assignment: Self.containsAssignment(lowered!, rule.triggers)
                case .urlCredentials: Self.containsURLCredentials(lowered!)
                }
                guard applies else { continue }
            }
            let replaced = Self.replace(rule, in: result)
            if replaced != result { result = replaced; lowered = nil }
        }
        return redactsCards ? Self.redactCards(result) : result
    }

    private static func replace(_ rule: Rule, in text: String) -> String {
        let whole = NSRange(text.startIndex..., in: text)
        let matches = rule.expression.matches(in: text, range: whole)
        guard !matches.isEmpty else { return text }
        var result = text
        for match in matches.reversed() {
            let range = match.range(at: rule.group)
            guard range.location != NSNotFound, let swiftRange = Range(range, in: result) else { continue }
            result.replaceSubrange(swiftRange, with: replacement)
        }
        return result
    }

    /// Runs of 13–19 digits (single spaces or dashes between them allowed) that pass the Luhn check.
    static func redactCards(_ text: String) -> String {
        guard text.utf8.count(where: { $0 &- 48 < 10 }) >= 13 else { return text }
        // Most lines with 13 digits hold times and ids, not cards: nothing is copied unless one is found.
        let bytes = Array(text.utf8)
        let cards = cardRanges(in: bytes)
        guard !cards.isEmpty else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var at = 0
        for card in cards {
            output += bytes[at..<card.lowerBound]
            output += replacement.utf8
            at = card.upperBound
        }
        output += bytes[at...]
        return String(decoding: output, as: UTF8.self)
    }

    /// Where card numbers stand in `bytes`: 13 to 19 digits, spaces or dashes allowed between them,
    /// Luhn-valid, not continuing a word or a number and not followed by one (or by a decimal part).
    private static func cardRanges(in bytes: [UInt8]) -> [Range<Int>] {
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        var cards: [Range<Int>] = []
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var i = 0
        while i < bytes.count {
            // A candidate starts at a digit that does not continue a word or a number.
            guard isDigit(bytes[i]) && (i == 0 || !(isDigit(bytes[i - 1]) || isWordByte(bytes[i - 1]) || bytes[i - 1] == 46)) else {
                i += 1
                continue
            }
            var j = i
            var end = i
            digits.removeAll(keepingCapacity: true)
            while j < bytes.count {
                if isDigit(bytes[j]) {
                    digits.append(bytes[j] - 48)
                    end = j + 1
                    j += 1
                } else if (bytes[j] == 32 || bytes[j] == 45), j + 1 < bytes.count, isDigit(bytes[j + 1]), digits.count < 19 {
                    j += 1
                } else {
                    break
                }
                if digits.count > 19 { break }
            }
            // A decimal part (`.5`) or a glued word means this is not a standalone number.
            let followedByWord = end < bytes.count && (isDigit(bytes[end]) || isWordByte(bytes[end])
                || (bytes[end] == 46 && end + 1 < bytes.count && isDigit(bytes[end + 1])))
            if (13...19).contains(digits.count), !followedByWord, luhnValid(digits) { cards.append(i..<end) }
            i = end
        }
        return cards
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95
    }

    static func luhnValid(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var d = Int(digit)
            if index % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }
}

/// A redaction setting that cannot be used.
public enum RedactorError: Error, CustomStringConvertible, Equatable {
    case invalidPattern(String)

    public var description: String {
        switch self {
        case .invalidPattern(let p): "redaction pattern '\(p)' is not a valid regular expression"
        }
    }
}
