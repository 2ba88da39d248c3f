import Foundation

/// Maps token bytes to small integer ids without making a `String` per lookup: the miner compares
/// and routes by id. Open addressing over FNV-1a hashes; bytes live in one arena. Raw buffers
/// rather than arrays keep reference counting out of the per-token path.
final class TokenInterner {
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity = 1 << 14
    private var arenaCount = 0
    /// Per id: start in the arena and length.
    private var starts: UnsafeMutablePointer<Int32>
    private var lengths: UnsafeMutablePointer<Int32>
    private var idCapacity = 1 << 10
    private(set) var count = 0
    /// Open-addressing table of ids (-1 empty), twice the ids at least.
    private var slots: UnsafeMutablePointer<Int32>
    private var slotCount = 1 << 12

    init() {
        arena = .allocate(capacity: arenaCapacity)
        starts = .allocate(capacity: idCapacity)
        lengths = .allocate(capacity: idCapacity)
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
    }

    deinit {
        arena.deallocate()
        starts.deallocate()
        lengths.deallocate()
        slots.deallocate()
    }

    /// The id of `bytes`, if interned.
    @inline(__always)
    func lookUp(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slotCount - 1
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return nil }
            if Int(lengths[Int(id)]) == bytes.count,
               bytes.count == 0 || memcmp(arena + Int(starts[Int(id)]), bytes.baseAddress!, bytes.count) == 0 { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `bytes`, interning them if new.
    func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let id = lookUp(bytes) { return id }
        if (count + 1) * 2 > slotCount { growSlots() }
        if count == idCapacity {
            idCapacity *= 2
            starts = Self.grow(starts, from: count, to: idCapacity)
            lengths = Self.grow(lengths, from: count, to: idCapacity)
        }
        while arenaCount + bytes.count > arenaCapacity {
            arena = Self.grow(arena, from: arenaCount, to: arenaCapacity * 2)
            arenaCapacity *= 2
        }
        if let base = bytes.baseAddress { (arena + arenaCount).update(from: base, count: bytes.count) }
        let id = Int32(count)
        starts[count] = Int32(arenaCount)
        lengths[count] = Int32(bytes.count)
        arenaCount += bytes.count
        count += 1
        insert(id, hash: Self.hash(bytes))
        return id
    }

    func string(_ id: Int32) -> String {
        String(decoding: bytes(id), as: UTF8.self)
    }

    func bytes(_ id: Int32) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena + Int(starts[Int(id)]), count: Int(lengths[Int(id)]))
    }

    private func insert(_ id: Int32, hash: UInt64) {
        let mask = slotCount - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = id
    }

    private func growSlots() {
        slots.deallocate()
        slotCount *= 2
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        for id in 0..<count { insert(Int32(id), hash: Self.hash(bytes(Int32(id)))) }
    }

    private static func grow<T>(_ old: UnsafeMutablePointer<T>, from count: Int, to capacity: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        new.moveInitialize(from: old, count: count)
        old.deallocate()
        return new
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let h = FNV1a.hash(bytes)
        return h ^ (h >> 29)  // fold high bits into the low ones the table masks by
    }
}
