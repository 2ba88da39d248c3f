import DejaCore
import Foundation

/// Generated hostile input for the decoders: valid seeds mutated the way fuzzers do (bit flips,
/// cut and repeated runs, splices between seeds, and values chosen to break arithmetic and
/// parsers), from a fixed seed so that a run reproduces.
struct Mutator {
    private var random: SeededGenerator
    let seeds: [[UInt8]]

    /// Text that has broken decoders elsewhere: out-of-range numbers, deep nesting, stray quotes.
    static let dictionary: [[UInt8]] = [
        "1e19", "9e16", "1e300", "-1e300", "9223372036854775807", "-9223372036854775808", "18446744073709551615", "nan", "inf",
        "-0", "0x7fffffff", "4294967296", "\"", "\\", "\\u0000", "\\ud800", "{", "}", "[", "]", ",", ":", "=", "\n", "\r\n",
        "{\"a\":", "[[[[[[[[", "]]]]]]]]", "1678-01-01T00:00:00Z", "2261-12-31T23:59:59.999999999Z", "9999-99-99T99:99:99+99:99",
        "1e10s", "infd", "-5w", "\u{FF}\u{FE}", "é", "🚀", "\u{0}",
    ].map { Array($0.utf8) }

    init(seeds: [[UInt8]], seed: UInt64) {
        self.seeds = seeds
        random = SeededGenerator(seed: seed)
    }

    mutating func next() -> [UInt8] {
        var input = seeds.randomElement(using: &random)!
        for _ in 0..<Int.random(in: 1...4, using: &random) { mutate(&input) }
        return input
    }

    private mutating func position(in input: [UInt8]) -> Int { Int.random(in: 0...input.count, using: &random) }

    private mutating func mutate(_ input: inout [UInt8]) {
        switch Int.random(in: 0..<8, using: &random) {
        case 0 where !input.isEmpty:  // flip a bit
            let at = Int.random(in: 0..<input.count, using: &random)
            input[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1 where !input.isEmpty:  // set a byte
            input[Int.random(in: 0..<input.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        case 2:  // cut a run
            let start = position(in: input)
            let end = min(input.count, start + Int.random(in: 0...16, using: &random))
            input.removeSubrange(start..<end)
        case 3 where !input.isEmpty:  // repeat a run
            let start = Int.random(in: 0..<input.count, using: &random)
            let run = input[start..<min(input.count, start + Int.random(in: 1...32, using: &random))]
            input.insert(contentsOf: Array(repeating: Array(run), count: Int.random(in: 1...8, using: &random)).joined(), at: position(in: input))
        case 4:  // splice another seed
            let other = seeds.randomElement(using: &random)!
            let start = Int.random(in: 0...other.count, using: &random)
            input.insert(contentsOf: other[start..<min(other.count, start + Int.random(in: 0...64, using: &random))], at: position(in: input))
        case 5, 6:  // a dictionary word, inserted or over a run
            let word = Self.dictionary.randomElement(using: &random)!
            let at = position(in: input)
            if Bool.random(using: &random) {
                input.insert(contentsOf: word, at: at)
            } else {
                input.replaceSubrange(at..<min(input.count, at + word.count), with: word)
            }
        default:  // truncate
            input.removeSubrange(position(in: input)...)
        }
    }
}

/// The input being decoded, written out by a signal handler when a decoder traps, so that the
/// crash is kept (`Tests/DejaServerTests/Fuzz/regressions/<decoder>-<n>`) and replayed ever after.
enum CrashKeeper {
    nonisolated(unsafe) private static var current: UnsafeMutableRawBufferPointer = .allocate(byteCount: 1 << 20, alignment: 1)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var descriptor: Int32 = -1

    /// Opens the file a crash is written to and installs the handlers. Decoders are fuzzed one at a time.
    static func install(path: String) {
        if descriptor >= 0 { close(descriptor) }
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            Glibc.signal(signal) { number in
                _ = Glibc.write(CrashKeeper.descriptor, CrashKeeper.current.baseAddress, CrashKeeper.length)
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    /// Remembers `input` (the first MiB) as the one being decoded.
    static func decoding(_ input: [UInt8]) {
        length = min(input.count, current.count)
        input.withUnsafeBytes { current.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }
    }
}
