@testable import DejaIngest
import Foundation
import Testing

@Suite struct LineReaderTests {
    private func lines(of bytes: [UInt8]) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-lines-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return Array(try LineReader(path: path))
    }

    @Test("a byte order mark opening a file is left out; one inside a line, and bytes that are not UTF-8, are not lost")
    func byteOrderMark() throws {
        #expect(try lines(of: [0xEF, 0xBB, 0xBF] + Array("first\nsecond\n".utf8)) == ["first", "second"])
        #expect(try lines(of: [0xEF, 0xBB, 0xBF]) == [])
        #expect(try lines(of: Array("a\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("b".utf8)) == ["a", "\u{FEFF}b"])
        #expect(try lines(of: [0x61, 0xFF, 0x0A, 0x62]) == ["a\u{FFFD}", "b"])
    }

    @Test("a compressed file is refused by name, with the tool that reads it; a text file that starts alike is not")
    func compressedFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-lines-\(UUID().uuidString).gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // `gzip.compress(b"x\n", mtime=0)`
        try Data([31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 171, 224, 2, 0, 31, 8, 234, 70, 2, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        #expect(throws: LineReader.Compressed(path: path, format: "gzip", tool: "zcat")) { try LineReader(path: path) }
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
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deja-fifo-\(UUID().uuidString)").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = Thread {
            let descriptor = open(path, O_WRONLY)
            _ = "2024-03-14 09:21:07 ERROR first\n".withCString { write(descriptor, $0, strlen($0)) }
            Thread.sleep(forTimeInterval: 0.6)
            _ = "second\n".withCString { write(descriptor, $0, strlen($0)) }
            close(descriptor)
        }
        writer.start()
        var reader = try LineReader(path: path)
        #expect(reader.nextItem(idleAfter: 200) == .line("2024-03-14 09:21:07 ERROR first"))
        #expect(reader.nextItem(idleAfter: 200) == .idle)
        #expect(reader.nextItem(idleAfter: 200) == .line("second"))
        #expect(reader.nextItem(idleAfter: 200) == .end)
    }
}
