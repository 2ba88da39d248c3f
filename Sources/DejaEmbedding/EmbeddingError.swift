/// Why a model could not be loaded or an input could not be embedded; each case says what to fix.
public enum EmbeddingError: Error, CustomStringConvertible, Equatable {
    case modelFolderNotFound(String)
    case missingFile(String)
    case corruptFile(String, String)
    case unsupported(String, String)
    case missingTensor(String)
    case tensorShape(String, expected: [Int], found: [Int])
    case vocabularyMissingToken(String)

    public var description: String {
        switch self {
        case .modelFolderNotFound(let path):
            return "model folder not found: \(path) (run scripts/setup.sh, or pass --model / set DEJA_MODEL_DIR to a sentence-transformers folder)"
        case .missingFile(let path):
            return "model file missing or unreadable: \(path)"
        case .corruptFile(let path, let why):
            return "model file is corrupt: \(path): \(why)"
        case .unsupported(let piece, let why):
            return "unsupported model: \(piece): \(why)"
        case .missingTensor(let name):
            return "model.safetensors has no tensor '\(name)' (is this a BERT model?)"
        case .tensorShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected) from config.json"
        case .vocabularyMissingToken(let token):
            return "vocab.txt has no \(token) token"
        }
    }
}
