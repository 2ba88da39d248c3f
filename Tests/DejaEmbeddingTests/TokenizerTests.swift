import DejaEmbedding
import Foundation
import Testing

@Suite struct TokenizerTests {
    @Test("token ids equal the Hugging Face tokenizer's on every reference record")
    func referenceIds() throws {
        let embedder = try SentenceEmbedder(modelFolder: try ReferenceFixture.modelFolder())
        let records = try ReferenceFixture.records()
        #expect(records.count == 147)
        for record in records {
            #expect(embedder.tokenize(record.text) == record.input_ids, "text: \(record.text.debugDescription)")
        }
    }

    private func tokenizer(_ vocabulary: [String], maxLength: Int = 256) throws -> WordPieceTokenizer {
        var options = WordPieceTokenizer.Options()
        options.maxLength = maxLength
        let lines = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + vocabulary).map { Substring($0) }
        return try WordPieceTokenizer(vocabularyLines: lines, options: options)
    }

    @Test func greedyLongestMatchAndWholeWordUnknown() throws {
        let t = try tokenizer(["un", "##afford", "##able", "afford", "time", "##out", ":"])
        // ids: [PAD]0 [UNK]1 [CLS]2 [SEP]3 [MASK]4 un5 ##afford6 ##able7 afford8 time9 ##out10 :11
        #expect(t.encode("Unaffordable TIMEOUT:") == [2, 5, 6, 7, 9, 10, 11, 3])
        // One unmatched position makes the whole word a single [UNK].
        #expect(t.encode("unaffordablex time") == [2, 1, 9, 3])
    }

    @Test func specialTokensAreMatchedInRawTextCaseSensitively() throws {
        let t = try tokenizer(["time", "[", "]", "cls"])
        #expect(t.encode("time[SEP]time") == [2, 5, 3, 5, 3])
        #expect(t.encode("[cls]") == [2, 6, 8, 7, 3])
    }

    @Test func truncationKeepsTheFirstPiecesAndTheTemplate() throws {
        let t = try tokenizer(["a"], maxLength: 5)
        #expect(t.encode(String(repeating: "a ", count: 10)) == [2, 5, 5, 5, 3])
        #expect(t.encode("") == [2, 3])
        #expect(t.encode(" \t\n ") == [2, 3])
    }

    @Test func wordsLongerThanTheLimitAreUnknown() throws {
        let t = try tokenizer(["a", "##a"])
        #expect(t.encode(String(repeating: "a", count: 100)).count == 102)
        #expect(t.encode(String(repeating: "a", count: 101)) == [2, 1, 3])
    }

    @Test("a one-megabyte line tokenizes quickly to the truncation limit")
    func hugeLineStopsEarly() throws {
        let t = try tokenizer(["error"])
        let ids = t.encode(String(repeating: "error ", count: 200_000))
        #expect(ids.count == 256)
    }

    @Test("invalid UTF-8 is repaired to U+FFFD, which the tokenizer drops like the reference")
    func invalidUTF8() throws {
        let t = try tokenizer(["foo", "bar"])
        let repaired = String(decoding: [0x66, 0x6F, 0xFF, 0x6F, 0x20, 0xC3, 0x62, 0x61, 0x72], as: UTF8.self)
        #expect(t.encode(repaired) == t.encode("foo bar"))
        #expect(t.encode("foo\u{0}bar") == t.encode("foobar"))
    }

    @Test func vocabularyWithoutSpecialTokensIsRejected() {
        #expect(throws: EmbeddingError.vocabularyMissingToken("[CLS]")) {
            try WordPieceTokenizer(vocabularyLines: ["[PAD]", "[UNK]", "hello"], options: .init())
        }
    }
}
