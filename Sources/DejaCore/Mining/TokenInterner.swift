/// Maps token bytes to small integer ids without making a `String` per lookup: the miner compares
/// and routes by id. Open addressing over FNV-1a hashes; the bytes live in one arena.
struct TokenInterner {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var slots: [Int32] = Array(repeating: -1, count: 1 << 12)

    var count: Int { starts.count }

    /// The id of `bytes`, if interned.
    func lookUp(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return nil }
            if equals(Int(id), bytes) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `bytes`, interning them if new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let id = lookUp(bytes) { return id }
        if (starts.count + 1) * 2 > slots.count { grow() }
        let id = Int32(starts.count)
        starts.append(arena.count)
        lengths.append(bytes.count)
        arena.append(contentsOf: bytes)
        insert(id, hash: Self.hash(bytes))
        return id
    }

    mutating func intern(_ text: String) -> Int32 {
        var copy = text
        return copy.withUTF8 { intern($0) }
    }

    func string(_ id: Int32) -> String {
        let start = starts[Int(id)]
        return String(decoding: arena[start..<(start + lengths[Int(id)])], as: UTF8.self)
    }

    func bytes(_ id: Int32) -> ArraySlice<UInt8> {
        let start = starts[Int(id)]
        return arena[start..<(start + lengths[Int(id)])]
    }

    private func equals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lengths[id] == bytes.count else { return false }
        let start = starts[id]
        return arena.withUnsafeBufferPointer { arena in
            for i in 0..<bytes.count where arena[start + i] != bytes[i] { return false }
            return true
        }
    }

    private mutating func insert(_ id: Int32, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = id
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        for id in 0..<starts.count {
            let start = starts[id]
            let hash = arena.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[start..<(start + lengths[id])])) }
            insert(Int32(id), hash: hash)
        }
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h ^ (h >> 29)
    }
}
