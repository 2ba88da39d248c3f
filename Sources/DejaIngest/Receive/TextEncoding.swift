/// How a log file's bytes encode its text, read from its opening bytes: UTF-8 (the default), or
/// UTF-16 as Windows PowerShell's `>` and `Out-File` write it (with a byte order mark) and some
/// Windows services do (without one).
enum TextEncoding: Equatable {
    case utf8
    case utf16(bigEndian: Bool)

    /// How many opening bytes `detect` looks at.
    static let sniffLength = 512

    /// The encoding of a stream opening with `bytes`, and the length of its byte order mark (not text).
    static func detect(_ bytes: some Collection<UInt8>) -> (encoding: TextEncoding, markLength: Int) {
        let head = Array(bytes.prefix(sniffLength))
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        // FF FE 00 00 opens UTF-32LE, which no logger here writes: read as UTF-8, its NULs dropped later.
        if head.starts(with: [0xFF, 0xFE]), !head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (.utf16(bigEndian: false), 2) }
        if head.starts(with: [0xFE, 0xFF]) { return (.utf16(bigEndian: true), 2) }
        // Without a mark: mostly-ASCII UTF-16 has a NUL in the same half of nearly every code unit
        // and none in the other; UTF-8 text has no NULs at all.
        let units = head.count / 2
        guard units >= 4 else { return (.utf8, 0) }
        var zeroFirst = 0, zeroSecond = 0
        for unit in 0..<units {
            if head[2 * unit] == 0 { zeroFirst += 1 }
            if head[2 * unit + 1] == 0 { zeroSecond += 1 }
        }
        if zeroSecond * 10 >= units * 7, zeroFirst * 20 <= units { return (.utf16(bigEndian: false), 0) }
        if zeroFirst * 10 >= units * 7, zeroSecond * 20 <= units { return (.utf16(bigEndian: true), 0) }
        return (.utf8, 0)
    }

    /// Transcodes the whole UTF-16 code units of `bytes` to UTF-8, and leaves in `bytes` what cannot
    /// be decoded yet: an odd last byte, or a high surrogate whose pair is in the next block. At the
    /// end of the stream (`final`) nothing is left: a broken unit becomes U+FFFD.
    static func transcodeUTF16(_ bytes: inout [UInt8], bigEndian: Bool, final: Bool) -> [UInt8] {
        var units = [UInt16]()
        units.reserveCapacity(bytes.count / 2)
        for index in stride(from: 0, to: bytes.count - 1, by: 2) {
            let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            units.append(UInt16(high) << 8 | UInt16(low))
        }
        var consumed = units.count * 2
        if !final, let last = units.last, UTF16.isLeadSurrogate(last) {
            units.removeLast()
            consumed -= 2
        }
        var text = Array(String(decoding: units, as: UTF16.self).utf8)
        if final, consumed < bytes.count {
            text += Array("\u{FFFD}".utf8)
            consumed = bytes.count
        }
        bytes.removeFirst(consumed)
        return text
    }

    /// Why a file opening with `bytes` is no text log, or nil when it reads as text: a format named
    /// by its magic bytes, or control bytes among bytes that are not UTF-8 (an executable, `wtmp`).
    /// Bytes that are not UTF-8 alone are no evidence (a log in Windows-1251 or Shift JIS), nor are
    /// control bytes alone (FIX messages separate fields with SOH); NULs are set aside, because
    /// `copytruncate` rotation leaves runs of them before a log's text, which is still the log.
    static func binaryFormat(_ bytes: [UInt8]) -> String? {
        if let known = magics.first(where: { bytes.starts(with: $0.magic) }) { return known.format }
        if case .utf16 = detect(bytes).encoding { return nil }
        var text = bytes.filter { $0 != 0 }
        // A cut multi-byte character at the sample's end is not evidence.
        if bytes.count >= 65_536 { text = Array(text.dropLast(3)) }
        guard text.count >= 32 else { return nil }
        var controls = 0, undecodable = 0
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0xFFFD: undecodable += 1
            case 0x08...0x0D, 0x1B: break  // backspace, whitespace, terminal escapes
            case ..<0x20, 0x7F: controls += 1
            default: break
            }
        }
        // Measured: text logs have no control bytes; the binaries looked at have 10-27% of them, and
        // 19-61% of control and undecodable bytes together (a FIX log: 12%, all SOH).
        return controls * 20 > text.count && (controls + undecodable) * 100 > text.count * 15 ? "binary" : nil
    }

    /// Binary formats found among logs, named so that the message can say what the file is.
    private static let magics: [(magic: [UInt8], format: String)] = [
        (Array("LPKSHHRH".utf8), "a systemd journal (read it with journalctl --file)"),
        (Array("SQLite format 3\u{0}".utf8), "an SQLite database"),
        ([0x7F, 0x45, 0x4C, 0x46], "an ELF executable"),
    ]
}
