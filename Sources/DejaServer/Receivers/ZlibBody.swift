import CompressNIO
import NIOCore

/// Inflates a gzip or zlib (`Content-Encoding: deflate`) request body whole: every member of a
/// gzip body (RFC 1952 allows several, as `cat a.gz b.gz` makes), and a refusal for a body that
/// ends before its stream does. CompressNIO's `decompress` returns what a cut-off stream held so
/// far, so a body truncated at a line's end was acknowledged with the rest of its events lost.
enum ZlibBody {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case truncated
        case corrupt
        case tooLarge(limit: Int)

        var description: String {
            switch self {
            case .truncated: "the compressed body ends before its stream does (truncated)"
            case .corrupt: "the compressed body is corrupt"
            case .tooLarge(let limit): "the body inflates past the \(limit)-byte limit"
            }
        }
    }

    static func inflate(_ body: ByteBuffer, gzip: Bool, limit: Int) throws -> [UInt8] {
        var input = body
        var output: [UInt8] = []
        var window = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        let decompressor = try ZlibDecompressor(algorithm: gzip ? .gzip : .zlib)
        // Inflates into the window until zlib returns (a stream's end, or its input used up), moving
        // each full window to `output`.
        func step() throws {
            while true {
                window.clear()
                do {
                    try decompressor.inflate(from: &input, to: &window)
                    try keep()
                    return
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    try keep()
                } catch let error as CompressNIOError where error == .inputBufferOverflow {
                    throw Failure.truncated
                } catch let error as CompressNIOError where error == .corruptData {
                    throw Failure.corrupt
                }
            }
        }
        func keep() throws {
            guard output.count + window.readableBytes <= limit else { throw Failure.tooLarge(limit: limit) }
            output.append(contentsOf: window.readableBytesView)
        }
        while true {
            try step()
            guard input.readableBytes == 0 else {
                // A stream ended with bytes after it: the next gzip member; a zlib stream has one.
                guard gzip else { throw Failure.corrupt }
                try decompressor.reset()
                continue
            }
            // The input is used up: once more with none tells a stream that ended (zlib answers its
            // end again) from one cut short (zlib needs input it does not have).
            try step()
            return output
        }
    }
}
