/// The 64-bit FNV-1a hash: fast, stable across runs and machines (unlike `Hasher`), for ids that
/// are stored or compared between processes.
public enum FNV1a {
    @inline(__always)
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}
