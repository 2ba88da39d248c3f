import Foundation

/// Everything Deja needs to know about a sentence-transformers BERT model folder, read from its
/// `config.json`, `tokenizer_config.json`, `sentence_bert_config.json`, `modules.json` and
/// `1_Pooling/config.json`.
public struct ModelConfiguration: Sendable, Equatable {
    public enum Pooling: String, Sendable { case mean, cls }
    public enum Activation: String, Sendable { case gelu, geluTanh, relu }

    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var layerNormEpsilon: Float
    public var activation: Activation
    public var vocabularySize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var pooling: Pooling
    public var normalize: Bool
    public var tokenizer: WordPieceTokenizer.Options

    /// Reads and validates the configuration files of the folder at `url`.
    public init(folder url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EmbeddingError.modelFolderNotFound(url.path)
        }
        let config = try Self.readJSON(url.appendingPathComponent("config.json"), required: true)!
        let modelType = config["model_type"] as? String ?? "?"
        guard modelType == "bert" else {
            throw EmbeddingError.unsupported("config.json", "model_type '\(modelType)' (only BERT-architecture models are supported)")
        }
        if let kind = config["position_embedding_type"] as? String, kind != "absolute" {
            throw EmbeddingError.unsupported("config.json", "position_embedding_type '\(kind)'")
        }
        func int(_ key: String) throws -> Int {
            guard let value = config[key] as? Int, value > 0 else {
                throw EmbeddingError.unsupported("config.json", "'\(key)' is missing or not a positive integer")
            }
            return value
        }
        hiddenSize = try int("hidden_size")
        layerCount = try int("num_hidden_layers")
        headCount = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        vocabularySize = try int("vocab_size")
        maxPositions = try int("max_position_embeddings")
        typeVocabularySize = (config["type_vocab_size"] as? Int) ?? 2
        guard hiddenSize % headCount == 0 else {
            throw EmbeddingError.unsupported("config.json", "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        layerNormEpsilon = Float((config["layer_norm_eps"] as? Double) ?? 1e-12)
        switch (config["hidden_act"] as? String) ?? "gelu" {
        case "gelu": activation = .gelu
        case "gelu_new", "gelu_pytorch_tanh": activation = .geluTanh
        case "relu": activation = .relu
        case let other: throw EmbeddingError.unsupported("config.json", "hidden_act '\(other)'")
        }

        (pooling, normalize) = try Self.readModules(url)

        tokenizer = WordPieceTokenizer.Options()
        if let tokenizerConfig = try Self.readJSON(url.appendingPathComponent("tokenizer_config.json"), required: false) {
            if let className = tokenizerConfig["tokenizer_class"] as? String,
               !["BertTokenizer", "BertTokenizerFast"].contains(className) {
                throw EmbeddingError.unsupported("tokenizer_config.json", "tokenizer_class '\(className)' (WordPiece BertTokenizer only)")
            }
            tokenizer.lowercase = (tokenizerConfig["do_lower_case"] as? Bool) ?? true
            // `strip_accents: null` follows lower-casing, as in Hugging Face's BertNormalizer.
            tokenizer.stripAccents = (tokenizerConfig["strip_accents"] as? Bool) ?? tokenizer.lowercase
            tokenizer.splitChineseCharacters = (tokenizerConfig["tokenize_chinese_chars"] as? Bool) ?? true
        }
        tokenizer.maxLength = maxPositions
        if let sbert = try Self.readJSON(url.appendingPathComponent("sentence_bert_config.json"), required: false),
           let maxLength = sbert["max_seq_length"] as? Int {
            guard maxLength >= 2, maxLength <= maxPositions else {
                throw EmbeddingError.unsupported("sentence_bert_config.json", "max_seq_length \(maxLength) outside 2...\(maxPositions)")
            }
            tokenizer.maxLength = maxLength
        }
    }

    public var headSize: Int { hiddenSize / headCount }

    /// The pooling mode (from the Pooling module's config) and whether a Normalize module follows.
    private static func readModules(_ url: URL) throws -> (Pooling, Bool) {
        let modulesURL = url.appendingPathComponent("modules.json")
        guard let data = FileManager.default.contents(atPath: modulesURL.path) else {
            throw EmbeddingError.missingFile(modulesURL.path + " (not a sentence-transformers folder)")
        }
        guard let modules = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw EmbeddingError.corruptFile(modulesURL.path, "expected a JSON array of modules")
        }
        var pooling: Pooling?
        var normalize = false
        for module in modules {
            let type = module["type"] as? String ?? ""
            switch type.split(separator: ".").last.map(String.init) ?? "" {
            case "Transformer":
                continue
            case "Pooling":
                let path = url.appendingPathComponent(module["path"] as? String ?? "1_Pooling").appendingPathComponent("config.json")
                let config = try readJSON(path, required: true)!
                let modes = ["pooling_mode_mean_tokens": Pooling.mean, "pooling_mode_cls_token": .cls]
                let unsupported = ["pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"]
                if let on = unsupported.first(where: { config[$0] as? Bool == true }) {
                    throw EmbeddingError.unsupported(path.path, "\(on) (mean and CLS pooling are supported)")
                }
                let chosen = modes.filter { config[$0.key] as? Bool == true }.map(\.value)
                guard chosen.count == 1 else {
                    throw EmbeddingError.unsupported(path.path, "exactly one of mean or CLS pooling must be on")
                }
                pooling = chosen[0]
            case "Normalize":
                normalize = true
            default:
                throw EmbeddingError.unsupported("modules.json", "module '\(type)'")
            }
        }
        guard let pooling else { throw EmbeddingError.unsupported("modules.json", "no Pooling module") }
        return (pooling, normalize)
    }

    private static func readJSON(_ url: URL, required: Bool) throws -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            if required { throw EmbeddingError.missingFile(url.path) }
            return nil
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EmbeddingError.corruptFile(url.path, "not a JSON object")
        }
        return object
    }
}
