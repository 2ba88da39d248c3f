import DejaCore

/// A signature's vector and the fields vector search filters on.
public struct VectorRecord: Sendable, Equatable {
    public var signatureID: Int64
    public var tenant: String
    public var service: String
    public var level: Severity
    public var vector: [Float]
    /// How the vector was made beside the model (`EmbeddingText.recipe`): a vector of another
    /// recipe is embedded again.
    public var recipe: String

    public init(signatureID: Int64, tenant: String, service: String, level: Severity, vector: [Float], recipe: String = "") {
        self.signatureID = signatureID
        self.tenant = tenant
        self.service = service
        self.level = level
        self.vector = vector
        self.recipe = recipe
    }
}

/// One vector-search result: a signature and its cosine similarity to the query.
public struct VectorHit: Sendable, Equatable {
    public var signatureID: Int64
    public var similarity: Float
    /// Set for a signature that another replica published to a shared index and whose events this
    /// store does not hold; `signatureID` is then a negative stand-in.
    public var remote: RemoteSignature?
}

/// A signature as a shared vector index describes it: what one replica can show of another's.
public struct RemoteSignature: Sendable, Equatable {
    public var signature: Signature
    /// The example event the index record carries.
    public var example: String

    public init(signature: Signature, example: String) {
        self.signature = signature
        self.example = example
    }

    /// The example as an event (id 0: it is not stored here), at the signature's last-seen time.
    public var exampleEvent: StoredEvent {
        StoredEvent(id: 0, externalID: nil, tenant: signature.tenant, service: signature.service, level: signature.level,
                    timestamp: signature.lastSeen, labels: [:], body: example, signatureID: signature.id)
    }
}

/// Vectors of signatures, one space per model identity.
public protocol VectorStore: Sendable {
    /// Adds or replaces vectors (L2-normalized) under `model`.
    func upsert(_ records: [VectorRecord], model: String) throws
    /// The `k` most similar signatures of `model` that pass the tenant, service and level filters.
    func search(_ query: [Float], model: String, filter: SearchFilter, k: Int) throws -> [VectorHit]
    /// Signature ids that have no vector under `model` yet.
    func missing(model: String, among ids: [Int64]) throws -> [Int64]
    /// The vector of a hit `search` returned, where this store holds it.
    func vector(of hit: VectorHit, model: String) throws -> [Float]?
}

/// Vector search cannot answer now (its server is down or busy); keyword search still can.
public struct VectorStoreUnavailable: Error, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}
