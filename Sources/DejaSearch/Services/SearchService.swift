import DejaCore
import Dispatch

/// Runs searches on a thread of their own, one at a time: the query embedder serves one caller
/// at a time, and a search must not hold one of the server's event-loop threads.
public final class SearchService: @unchecked Sendable {
    // @unchecked: the engines are used only on `queue` (they share the query embedder).
    private let engine: SearchEngine
    private let fallback: SearchEngine?
    private let queue = DispatchQueue(label: "deja-search", qos: .userInitiated)
    /// Held while a search runs, so that ingest's stages step aside for it.
    private let gate: ForegroundGate

    /// `fallback` answers what `engine` cannot (cluster mode: this replica's own events while the
    /// shared state is unreachable). Each search runs as
    /// `gate`'s foreground work.
    public init(engine: SearchEngine, fallback: SearchEngine? = nil, gate: ForegroundGate = ForegroundGate()) {
        self.engine = engine
        self.fallback = fallback
        self.gate = gate
    }

    /// Runs `work` with the fallback engine; nil when there is none.
    public func runFallback<Value: Sendable>(_ work: @escaping @Sendable (SearchEngine) throws -> Value) async throws -> Value? {
        guard fallback != nil else { return nil }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in continuation.resume(with: Result { try gate.run { try work(fallback!) } }) }
        }
    }

    /// Runs `work` with the engine, after the searches before it.
    public func run<Value: Sendable>(_ work: @escaping @Sendable (SearchEngine) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in continuation.resume(with: Result { try gate.run { try work(engine) } }) }
        }
    }
}
