@testable import DejaIngest
import Foundation
import Testing

@Suite struct LineReaderTests {
    private func lines(of bytes: [UInt8]) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-lines-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try LineReader.lines(of: path)
    }

    /// A FIFO at a fresh path that a thread opens and writes, each chunk after its pause (seconds), then closes.
    private func fifo(writing chunks: [(pause: Double, bytes: [UInt8])]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-fifo-\(UUID().uuidString)").path
        #expect(mkfifo(path, 0o600) == 0)
        Thread {
            let descriptor = open(path, O_WRONLY)
            for chunk in chunks {
                Thread.sleep(forTimeInterval: chunk.pause)
                _ = chunk.bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            }
            close(descriptor)
        }.start()
        return path
    }

    @Test("a byte order mark opening a file is left out; one inside a line, and bytes that are not UTF-8, are not lost")
    func byteOrderMark() throws {
        #expect(try lines(of: [0xEF, 0xBB, 0xBF] + Array("first\nsecond\n".utf8)) == ["first", "second"])
        #expect(try lines(of: [0xEF, 0xBB, 0xBF]) == [])
        #expect(try lines(of: Array("a\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("b".utf8)) == ["a", "\u{FEFF}b"])
        #expect(try lines(of: [0x61, 0xFF, 0x0A, 0x62]) == ["a\u{FFFD}", "b"])
    }

    /// `gzip.compress(b"2024-03-14 09:21:07 ERROR disk full\n2024-03-14 09:21:08 INFO retrying\n", mtime=0)` and
    /// `gzip.compress(b"2024-03-14 09:21:09 WARN slow\n", mtime=0)`: two members.
    static let firstMember: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 51, 50, 48, 50, 209, 53, 48, 214, 53, 52, 81, 48, 176, 180, 50, 50, 180, 50, 48, 87,
                                       112, 13, 10, 242, 15, 82, 72, 201, 44, 206, 86, 72, 43, 205, 201, 225, 50, 194, 80, 99, 161, 224, 233, 231, 230, 175,
                                       80, 148, 90, 82, 84, 153, 153, 151, 206, 5, 0, 231, 214, 157, 133, 70, 0, 0, 0]
    static let secondMember: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 51, 50, 48, 50, 209, 53, 48, 214, 53, 52, 81, 48, 176, 180, 50, 50, 180, 50, 176,
                                        84, 8, 119, 12, 242, 83, 40, 206, 201, 47, 231, 2, 0, 15, 6, 253, 20, 30, 0, 0, 0]
    static let inflated = ["2024-03-14 09:21:07 ERROR disk full", "2024-03-14 09:21:08 INFO retrying", "2024-03-14 09:21:09 WARN slow"]

    @Test("a rotated gzip file is read as its text, every member; one cut short keeps its lines and says so")
    func gzipFiles() throws {
        #expect(try lines(of: Self.firstMember + Self.secondMember) == Self.inflated)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-lines-\(UUID().uuidString).gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.firstMember + Self.secondMember.prefix(10)).write(to: URL(fileURLWithPath: path))
        var reader = try LineReader(path: path)
        var read: [String] = []
        while let line = reader.next() { read.append(line) }
        #expect(read == Array(Self.inflated.prefix(2)))
        #expect(reader.failure?.description == "reading \(path) failed: its gzip data ends before its stream does (truncated)")
    }

    @Test("gzip piped in (cat app.log.1.gz | deja ingest -) is read as its text; zstd piped in is refused")
    func gzipStream() throws {
        let path = fifo(writing: [(0, Self.firstMember + Self.secondMember)])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try LineReader.lines(of: path) == Self.inflated)
        let zstd = fifo(writing: [(0, [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x02, 0x11, 0x00, 0x00, 0x78, 0x0A])])
        defer { try? FileManager.default.removeItem(atPath: zstd) }
        var reader = try LineReader(path: zstd)
        #expect(reader.next() == nil)
        #expect(reader.failure?.description == "reading \(zstd) failed: it is zstd-compressed: pipe it through zstdcat first")
    }

    @Test("gzip inflates across blocks cut anywhere, a member's end included")
    func gzipAcrossBlocks() throws {
        let whole = Self.firstMember + Self.secondMember
        for size in [1, 3, 7, 75, 200] {
            var inflater = try GzipInflater()
            var text: [UInt8] = []
            for start in stride(from: 0, to: whole.count, by: size) {
                text += try inflater.inflate(Array(whole[start..<min(start + size, whole.count)]))
            }
            #expect(String(decoding: text, as: UTF8.self) == Self.inflated.joined(separator: "\n") + "\n", "blocks of \(size)")
            #expect(inflater.memberEnded, "blocks of \(size)")
        }
    }

    @Test("a file compressed by another tool is refused by name, with the tool that reads it; a text file that starts alike is not")
    func compressedFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-lines-\(UUID().uuidString).zst").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x02, 0x11, 0x00, 0x00, 0x78, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(throws: LineReader.Compressed(path: path, format: "zstd", tool: "zstdcat")) { try LineReader(path: path) }
        #expect(try lines(of: Array("BZ flag set\nnext\n".utf8)) == ["BZ flag set", "next"])
    }

    @Test("a directory is refused by name, not read until the read traps")
    func directory() throws {
        let path = FileManager.default.temporaryDirectory.path
        #expect { try LineReader(path: path) } throws: { ($0 as? LineReader.IsADirectory)?.description == "\(path) is a directory: give the files in it (\(path)/*.log)" }
    }

    @Test("UTF-16, as Windows PowerShell writes a log, is read as its text, with or without a byte order mark")
    func utf16() throws {
        let text = "2024-03-14 09:21:07 ERROR café 😀\r\nnext\r\n"
        let expected = ["2024-03-14 09:21:07 ERROR café 😀\r", "next\r"]
        let little = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try lines(of: [0xFF, 0xFE] + little) == expected)
        #expect(try lines(of: [0xFE, 0xFF] + big) == expected)
        #expect(try lines(of: little) == expected)
        #expect(try lines(of: big) == expected)
    }

    @Test("a UTF-16 block ending inside a character keeps its start for the next block")
    func utf16AcrossBlocks() {
        // "a😀" in UTF-16LE, cut after the high surrogate, then after an odd byte.
        var pending: [UInt8] = [0x61, 0x00, 0x3D, 0xD8]
        #expect(TextEncoding.transcodeUTF16(&pending, bigEndian: false, final: false) == Array("a".utf8))
        #expect(pending == [0x3D, 0xD8])
        pending += [0x00, 0xDE, 0x62]
        #expect(TextEncoding.transcodeUTF16(&pending, bigEndian: false, final: false) == Array("😀".utf8))
        #expect(pending == [0x62])
        #expect(TextEncoding.transcodeUTF16(&pending, bigEndian: false, final: true) == Array("\u{FFFD}".utf8))
        #expect(pending.isEmpty)
    }

    @Test("a binary file is refused by what it is; a log opening with copytruncate's NULs, in a legacy encoding or of FIX messages is read")
    func binaryFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-lines-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(repeating: 0, count: 56)).write(to: URL(fileURLWithPath: path))
        #expect(throws: LineReader.NotText(path: path, format: "an ELF executable")) { try LineReader(path: path) }
        // Three `wtmp` records (`struct utmp`: type, pid, line, id, user, host, exit, session, time, address).
        var wtmp = [UInt8]()
        for (pid, user) in [(4121, "root"), (50213, "deploy"), (731, "root")] {
            var record = [UInt8](repeating: 0, count: 384)
            record[0] = 7
            withUnsafeBytes(of: UInt32(pid).littleEndian) { record.replaceSubrange(4..<8, with: $0) }
            record.replaceSubrange(8..<13, with: Array("pts/0".utf8))
            record.replaceSubrange(44..<44 + user.utf8.count, with: Array(user.utf8))
            record.replaceSubrange(76..<85, with: Array("10.0.0.17".utf8))
            withUnsafeBytes(of: UInt32(1_710_408_067 + pid).littleEndian) { record.replaceSubrange(340..<344, with: $0) }
            withUnsafeBytes(of: UInt32(0x1100_000A).littleEndian) { record.replaceSubrange(348..<352, with: $0) }
            wtmp += record
        }
        try Data(wtmp).write(to: URL(fileURLWithPath: path))
        #expect(throws: LineReader.NotText(path: path, format: "binary")) { try LineReader(path: path) }
        let log = Array("2024-03-14 09:21:07 ERROR disk full\n2024-03-14 09:21:08 INFO retrying\n".utf8)
        #expect(try lines(of: Array(repeating: 0, count: 8192) + log).last == "2024-03-14 09:21:08 INFO retrying")
        // "Ошибка подключения" in Windows-1251: no UTF-8, but no control bytes either.
        let cyrillic: [UInt8] = [0xCE, 0xF8, 0xE8, 0xE1, 0xEA, 0xE0, 0x20, 0xEF, 0xEE, 0xE4, 0xEA, 0xEB, 0xFE, 0xF7, 0xE5, 0xED, 0xE8, 0xFF]
        #expect(try lines(of: Array(repeating: Array("ERROR ".utf8) + cyrillic + [0x0A], count: 8).flatMap { $0 }).count == 8)
        let fix = "2024-03-14 09:21:07 IN 8=FIX.4.2\u{1}9=65\u{1}35=A\u{1}34=1\u{1}49=SERVER\u{1}52=20240314-09:21:07\u{1}56=CLIENT\u{1}98=0\u{1}108=30\u{1}10=062\u{1}\n"
        #expect(try lines(of: Array(String(repeating: fix, count: 4).utf8)).count == 4)
    }

    @Test("a stream's lines come as they arrive, and its going quiet is told once, so that what is held can be stored")
    func streamsAreReadAsTheyArrive() throws {
        let path = fifo(writing: [(0, Array("2024-03-14 09:21:07 ERROR first\n".utf8)), (0.6, Array("second\n".utf8))])
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reader = try LineReader(path: path)
        #expect(reader.nextItem(idleAfter: 200) == .line("2024-03-14 09:21:07 ERROR first"))
        #expect(reader.nextItem(idleAfter: 200) == .idle)
        #expect(reader.nextItem(idleAfter: 200) == .line("second"))
        #expect(reader.nextItem(idleAfter: 200) == .end)
    }
}
