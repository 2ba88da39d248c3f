import Foundation

/// A BERT WordPiece tokenizer that reproduces Hugging Face's `BertTokenizer` id for id:
/// special tokens matched in the raw text, text cleaning, CJK spacing, accent stripping (NFD),
/// lower-casing, punctuation splitting, greedy longest-match WordPiece, `[CLS] … [SEP]` truncation.
public struct WordPieceTokenizer: Sendable {
    /// Settings read from the model folder's tokenizer configuration.
    public struct Options: Sendable, Equatable {
        public var lowercase = true
        public var stripAccents = true
        public var splitChineseCharacters = true
        /// Maximum ids per text including `[CLS]` and `[SEP]`.
        public var maxLength = 256
        public var maxCharactersPerWord = 100
        public init() {}
    }

    public let options: Options
    // Keyed by UTF-8 bytes: String equality is canonical equivalence, the reference compares bytes.
    private let wordIds: [[UInt8]: Int32]
    private let continuationIds: [[UInt8]: Int32]
    private let specialTokens: [(text: [UInt8], id: Int32)]
    public let clsId: Int32
    public let sepId: Int32
    public let unkId: Int32
    /// Ids run from 0 to `vocabularySize - 1` (one per line of vocab.txt).
    public let vocabularySize: Int

    /// Builds a tokenizer from the lines of `vocab.txt` (id = 0-based line number).
    public init(vocabularyLines: [Substring], options: Options) throws {
        var words: [[UInt8]: Int32] = [:]
        var continuations: [[UInt8]: Int32] = [:]
        for (index, line) in vocabularyLines.enumerated() {
            var token = Array(line.utf8)
            if token.last == UInt8(ascii: "\r") { token.removeLast() }
            if token.starts(with: [UInt8(ascii: "#"), UInt8(ascii: "#")]) {
                continuations[Array(token.dropFirst(2))] = Int32(index)
            } else {
                words[token] = Int32(index)
            }
        }
        func required(_ token: String) throws -> Int32 {
            guard let id = words[Array(token.utf8)] else { throw EmbeddingError.vocabularyMissingToken(token) }
            return id
        }
        self.options = options
        self.wordIds = words
        self.continuationIds = continuations
        self.clsId = try required("[CLS]")
        self.sepId = try required("[SEP]")
        self.unkId = try required("[UNK]")
        self.vocabularySize = vocabularyLines.count
        self.specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
            words[Array(token.utf8)].map { (Array(token.utf8), $0) }
        }
    }

    /// Reads `vocab.txt`.
    public init(vocabularyFile: URL, options: Options) throws {
        let data: Data
        do { data = try Data(contentsOf: vocabularyFile) } catch {
            throw EmbeddingError.missingFile(vocabularyFile.path)
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw EmbeddingError.corruptFile(vocabularyFile.path, "the vocabulary is empty") }
        try self.init(vocabularyLines: lines, options: options)
    }

    /// The ids of `text`: `[CLS]`, at most `maxLength - 2` word pieces, `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        let limit = max(0, options.maxLength - 2)
        var ids: [Int32] = [clsId]
        ids.reserveCapacity(min(limit, text.utf8.count) + 2)
        var pieces = PieceSink(ids: ids, limit: limit + 1)
        var text = text
        text.withUTF8 { bytes in
            var segmentStart = 0
            var index = 0
            while index < bytes.count, !pieces.isFull {
                if bytes[index] == UInt8(ascii: "["), let special = specialToken(in: bytes, at: index) {
                    tokenize(segment: UnsafeBufferPointer(rebasing: bytes[segmentStart..<index]), into: &pieces)
                    pieces.append(special.id)
                    index += special.length
                    segmentStart = index
                } else {
                    index += 1
                }
            }
            if segmentStart < bytes.count {
                tokenize(segment: UnsafeBufferPointer(rebasing: bytes[segmentStart...]), into: &pieces)
            }
        }
        ids = pieces.ids
        ids.append(sepId)
        return ids
    }

    private func specialToken(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (id: Int32, length: Int)? {
        for token in specialTokens where index + token.text.count <= bytes.count {
            if token.text.indices.allSatisfy({ bytes[index + $0] == token.text[$0] }) {
                return (token.id, token.text.count)
            }
        }
        return nil
    }

    /// Streams a segment (text between special tokens) chunk by chunk, a chunk ending at whitespace
    /// or a CJK ideograph; both are starters, so NFD never reorders across chunk boundaries.
    private func tokenize(segment: UnsafeBufferPointer<UInt8>, into pieces: inout PieceSink) {
        guard !segment.isEmpty else { return }
        var chunk = String.UnicodeScalarView()
        var chunkIsASCII = true
        func flush() {
            if !chunk.isEmpty {
                tokenize(chunk: String(chunk), isASCII: chunkIsASCII, into: &pieces)
                chunk = String.UnicodeScalarView()
                chunkIsASCII = true
            }
        }
        for scalar in String(decoding: segment, as: UTF8.self).unicodeScalars {
            if pieces.isFull { return }
            switch BertCharacterClass.of(scalar) {
            case .vanish:
                continue
            case .whitespace:
                flush()
            case .cjk where options.splitChineseCharacters:
                flush()
                tokenize(chunk: String(scalar), isASCII: false, into: &pieces)
            default:
                chunk.append(scalar)
                if scalar.value >= 128 { chunkIsASCII = false }
            }
        }
        flush()
    }

    /// Normalizes one whitespace-free chunk, splits off punctuation and emits its word pieces.
    private func tokenize(chunk: String, isASCII: Bool, into pieces: inout PieceSink) {
        var normalized = String.UnicodeScalarView()
        let source = (!isASCII && options.stripAccents) ? chunk.decomposedStringWithCanonicalMapping : chunk
        for scalar in source.unicodeScalars {
            if !isASCII && options.stripAccents && BertCharacterClass.of(scalar) == .vanish { continue }
            if options.lowercase {
                if scalar.isASCII {
                    let value = scalar.value
                    normalized.append((65...90).contains(value) ? Unicode.Scalar(value + 32)! : scalar)
                } else {
                    normalized.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            } else {
                normalized.append(scalar)
            }
        }
        var word = String.UnicodeScalarView()
        for scalar in normalized {
            if BertCharacterClass.of(scalar) == .punct {
                if !word.isEmpty { wordPiece(word, into: &pieces); word = String.UnicodeScalarView() }
                wordPiece(String.UnicodeScalarView([scalar]), into: &pieces)
            } else {
                word.append(scalar)
            }
        }
        if !word.isEmpty { wordPiece(word, into: &pieces) }
    }

    /// Greedy longest-match-first WordPiece; a word with any unmatched position is one `[UNK]`.
    private func wordPiece(_ word: String.UnicodeScalarView, into pieces: inout PieceSink) {
        if pieces.isFull { return }
        guard word.count <= options.maxCharactersPerWord else { pieces.append(unkId); return }
        let bytes = Array(String(word).utf8)
        // Byte offset of every scalar boundary: pieces start and end on scalars.
        var boundaries = [0]
        for scalar in word { boundaries.append(boundaries.last! + UTF8.width(scalar)) }
        var found: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int32?
            while start < end {
                let candidate = Array(bytes[boundaries[start]..<boundaries[end]])
                match = start == 0 ? wordIds[candidate] : continuationIds[candidate]
                if match != nil { break }
                end -= 1
            }
            guard let id = match else { pieces.append(unkId); return }
            found.append(id)
            start = end
        }
        for id in found { pieces.append(id) }
    }
}

/// Collects ids up to a limit; once full, tokenization stops early (long lines cost no more).
private struct PieceSink {
    var ids: [Int32]
    let limit: Int
    var isFull: Bool { ids.count >= limit }
    mutating func append(_ id: Int32) { if !isFull { ids.append(id) } }
}
