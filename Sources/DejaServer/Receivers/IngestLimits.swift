/// Limits on what one ingest request may carry. A request over any of them is refused whole with a
/// 4xx naming the limit: nothing of it is stored.
public struct IngestLimits: Sendable {
    /// Body as received (compressed or not).
    public var maxBodyBytes = 16 << 20
    /// Body after gzip or snappy: a small body that inflates past this is a decompression bomb.
    public var maxDecompressedBytes = 64 << 20
    /// One log line (event body).
    public var maxLineBytes = 256 << 10
    /// Nesting of JSON objects and arrays.
    public var maxJSONDepth = 32

    public init() {}
}
