import Dispatch

/// Runs searches on a thread of their own, one at a time: the query embedder serves one caller
/// at a time, and a search must not hold one of the server's event-loop threads.
public final class SearchService: @unchecked Sendable {
    // @unchecked: `engine` is used only on `queue`.
    private let engine: SearchEngine
    private let queue = DispatchQueue(label: "deja-search", qos: .userInitiated)

    public init(engine: SearchEngine) {
        self.engine = engine
    }

    /// Runs `work` with the engine, after the searches before it.
    public func run<Value: Sendable>(_ work: @escaping @Sendable (SearchEngine) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in continuation.resume(with: Result { try work(engine) }) }
        }
    }
}
