import Foundation

/// A memory-mapped `.safetensors` file: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw tensor data.
public final class SafeTensorsFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and lives as long as this object.
    struct Entry {
        let dtype: String
        let shape: [Int]
        let start: Int
        let end: Int
    }

    public let path: String
    private let base: UnsafeRawPointer
    private let mappedLength: Int
    private let dataOffset: Int
    private let entries: [String: Entry]

    /// Maps `url` and validates its header; throws a clear error for a truncated or foreign file.
    public init(url: URL) throws {
        path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw EmbeddingError.missingFile(path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw EmbeddingError.missingFile(path) }
        let length = Int(info.st_size)
        guard length >= 8 else { throw EmbeddingError.corruptFile(path, "only \(length) bytes") }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw EmbeddingError.corruptFile(path, "cannot be memory-mapped")
        }
        base = UnsafeRawPointer(mapped)
        mappedLength = length
        do {
            let headerLength = Int(base.loadUnaligned(as: UInt64.self).littleEndian)
            guard headerLength > 1, headerLength <= length - 8 else {
                throw EmbeddingError.corruptFile(path, "header length \(headerLength) does not fit a \(length)-byte file")
            }
            dataOffset = 8 + headerLength
            let header = Data(bytes: base + 8, count: headerLength)
            entries = try Self.parseHeader(header, dataLength: length - dataOffset, path: path)
        } catch {
            munmap(mapped, length)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }

    /// Lets the kernel drop the mapping's resident pages: after tensors were copied out (transposed,
    /// converted), their pages would otherwise count in RSS. Tensors used in place fault back in.
    func releaseResidentPages() {
        madvise(UnsafeMutableRawPointer(mutating: base), mappedLength, MADV_DONTNEED)
    }

    /// Names of all tensors in the file.
    public var tensorNames: [String] { Array(entries.keys) }

    func shape(of name: String) -> [Int]? { entries[name]?.shape }

    /// The tensor `name` as Float32: the mapped bytes themselves for aligned F32 data, a converted
    /// copy for F16 and BF16.
    func floatTensor(_ name: String, shape expected: [Int]) throws -> FloatTensor {
        guard let entry = entries[name] else { throw EmbeddingError.missingTensor(name) }
        guard entry.shape == expected else {
            throw EmbeddingError.tensorShape(name, expected: expected, found: entry.shape)
        }
        let count = expected.reduce(1, *)
        let raw = base + dataOffset + entry.start
        switch entry.dtype {
        case "F32" where Int(bitPattern: raw) % MemoryLayout<Float>.alignment == 0:
            return FloatTensor(mapped: raw.assumingMemoryBound(to: Float.self), count: count, owner: self)
        case "F32":
            return FloatTensor(count: count) { out in
                for i in 0..<count { out[i] = raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self) }
            }
        case "F16":
            return FloatTensor(count: count) { out in
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian
                    out[i] = Float(Float16(bitPattern: bits))
                }
            }
        case "BF16":
            return FloatTensor(count: count) { out in
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            }
        default:
            throw EmbeddingError.unsupported("tensor '\(name)'", "dtype \(entry.dtype) (F32, F16 and BF16 are supported)")
        }
    }

    private static func parseHeader(_ header: Data, dataLength: Int, path: String) throws -> [String: Entry] {
        guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw EmbeddingError.corruptFile(path, "the header is not a JSON object")
        }
        let sizes = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1]
        var entries: [String: Entry] = [:]
        for (name, value) in object where name != "__metadata__" {
            guard let fields = value as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int],
                  let offsets = fields["data_offsets"] as? [Int], offsets.count == 2
            else { throw EmbeddingError.corruptFile(path, "malformed header entry for '\(name)'") }
            let (start, end) = (offsets[0], offsets[1])
            guard start >= 0, start <= end, end <= dataLength else {
                throw EmbeddingError.corruptFile(path, "tensor '\(name)' lies outside the file (truncated download?)")
            }
            if let size = sizes[dtype], shape.reduce(size, *) != end - start {
                throw EmbeddingError.corruptFile(path, "tensor '\(name)' size does not match its shape")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, start: start, end: end)
        }
        return entries
    }
}

/// A read-only Float32 tensor: mapped from a file or owned.
final class FloatTensor: @unchecked Sendable {
    // @unchecked: immutable after init; `owner` keeps a mapping alive.
    let pointer: UnsafePointer<Float>
    let count: Int
    private let owned: UnsafeMutablePointer<Float>?
    private let owner: AnyObject?

    init(mapped: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        self.pointer = mapped
        self.count = count
        self.owned = nil
        self.owner = owner
    }

    init(count: Int, fill: (UnsafeMutablePointer<Float>) -> Void) {
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        fill(storage)
        self.pointer = UnsafePointer(storage)
        self.count = count
        self.owned = storage
        self.owner = nil
    }

    deinit { owned?.deallocate() }
}
