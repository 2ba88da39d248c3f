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
}
