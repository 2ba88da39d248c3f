import DejaCore
import Testing

/// Generated hostile input through every parser stage: nothing may crash, hang or grow without bound.
@Suite struct ParserFuzzTests {
    /// Fragments that steer generated lines into every parser branch.
    static let fragments = [
        "{", "}", "[", "]", "\"", "\\", ":", "=", " ", "\t", "\n", "\u{0}", "<34>", "<165>1 ", "Oct 11 22:14:15 ",
        "2024-03-14T09:21:07.412Z ", "2024-03-14 09:21:07,412 ", "9999-99-99T99:99:99.9+99:99 ", "5092-04-31 ", "I0508 15:23:56.403123    1 f.go:1] ", "stdout P ", "stdout F ",
        "ERROR", "level=", "msg=\"", "\tat a.B.c(B.java:1)", "Traceback (most recent call last):", "  File \"x.py\", line 1, in f",
        "panic: ", "goroutine 1 [running]:", "Caused by: x.Y: z", "{\"log\":\"", "\"stream\":\"stdout\"", "é", "🚀", "\u{FFFD}",
        "0x7fff", "-----BEGIN PRIVATE KEY-----", "4111 1111 1111 1111", "://u:p@h", "eyJhbGciOi.eyJzdWIi.sig0123456789",
    ]

    @Test("parsers, assembler, normalizer, redactor and miner survive generated input")
    func generatedInput() throws {
        var random = SeededGenerator(seed: 20_261_128)  // deterministic, so a failure reproduces
        let parser = LineParser()
        var assembler = MultiLineAssembler()
        let redactor = try Redactor()
        let miner = PatternMiner()
        for number in 1...3_000 {
            var line = ""
            for _ in 0..<Int.random(in: 0...24, using: &random) {
                if Bool.random(using: &random) {
                    line += Self.fragments.randomElement(using: &random)!
                } else {
                    let bytes = (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                    line += String(decoding: bytes, as: UTF8.self)
                }
            }
            let parsed = parser.parse(line)
            #expect(parsed.message.utf8.count <= parser.maxLineBytes + 64)
            for event in assembler.add(line, number: number) {
                #expect(event.body.utf8.count <= assembler.maxBytes + parser.maxLineBytes)
                _ = miner.add(MessageNormalizer.normalize(redactor.redact(event.body)))
            }
        }
        _ = assembler.flush()
        #expect(miner.patterns.count <= miner.options.maxPatterns)
    }
}
