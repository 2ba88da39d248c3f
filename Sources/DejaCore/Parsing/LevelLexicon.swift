/// The words and letters log headers name a level with, across logging libraries: syslog's
/// (`notice`, `crit`, `alert`, `emerg`), log4j's and logback's, java.util.logging's (`SEVERE`,
/// `FINE`, `CONFIG`), Python's (`CRITICAL`), .NET's (`Information`), PostgreSQL's (`LOG`), Go's
/// and Android's single letters (`V D I W E F`). A header token is read only when it is one of these whole.
public enum LevelLexicon {
    /// The level a header token names (`INFO`, `[error]`, `<warn>`, `E`, `WARNING:`), or nil.
    public static func level(ofToken token: some BidirectionalCollection<UInt8>) -> Severity? {
        var bytes = token[...]
        while let first = bytes.first, Self.openers.contains(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, Self.closers.contains(last) { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.count <= 13 else { return nil }
        if bytes.count == 1 {
            // Single letters only in capitals, as Android and klog write them: `a` or `i` is a word.
            return singleLetters[bytes.first!]
        }
        // PostgreSQL's `LOG:`, only in capitals: `log` is a word.
        if bytes.elementsEqual("LOG".utf8) { return .info }
        var key: UInt64 = 0
        for byte in bytes {
            guard (byte | 0x20) &- 97 < 26 else { return nil }
            key = key << 5 | UInt64((byte | 0x20) - 96)
        }
        return words[key]
    }

    private static let openers = Set("[<(".utf8)
    private static let closers = Set("]>):,;".utf8)

    private static let singleLetters: [UInt8: Severity] = [
        UInt8(ascii: "V"): .trace, UInt8(ascii: "D"): .debug, UInt8(ascii: "I"): .info, UInt8(ascii: "W"): .warning,
        UInt8(ascii: "E"): .error, UInt8(ascii: "F"): .fatal,
    ]

    private static let words: [UInt64: Severity] = [
        "trace": .trace, "finest": .trace, "finer": .trace, "verbose": .trace,
        "debug": .debug, "dbg": .debug, "fine": .debug, "config": .debug,
        "info": .info, "information": .info, "informational": .info,
        "notice": .notice,
        "warn": .warning, "warning": .warning, "wrn": .warning,
        "error": .error, "err": .error, "severe": .error,
        "critical": .critical, "crit": .critical, "alert": .critical,
        "fatal": .fatal, "panic": .fatal, "emerg": .fatal, "emergency": .fatal,
    ].reduce(into: [:]) { table, entry in
        table[entry.key.utf8.reduce(UInt64(0)) { $0 << 5 | UInt64($1 - 96) }] = entry.value
    }
}
