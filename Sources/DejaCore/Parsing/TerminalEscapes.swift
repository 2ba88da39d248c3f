/// Colours and other terminal control sequences (ANSI/ECMA-48 CSI: `ESC [ params final`, and
/// two-byte `ESC x`), which loggers write when they think stdout is a terminal (Rust's tracing,
/// zap's and Rails' colour encoders, uvicorn, Spring Boot) and container runtimes keep. They are no
/// part of a line's text: its header is read, and its message embedded, without them.
public enum TerminalEscapes {
    /// `text` without its escape sequences; `text` itself when it holds no ESC byte.
    public static func stripped(_ text: String) -> String {
        guard text.utf8.contains(27) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = text.utf8[...]
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            guard byte == 27 else { out.append(byte); continue }
            guard let kind = bytes.first else { break }
            bytes = bytes.dropFirst()
            // CSI: parameter and intermediate bytes (0x20-0x3F), then one final byte (0x40-0x7E).
            if kind == UInt8(ascii: "[") {
                while let next = bytes.first, next >= 0x20, next <= 0x3F { bytes = bytes.dropFirst() }
                if let final = bytes.first, final >= 0x40, final <= 0x7E { bytes = bytes.dropFirst() }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
