import CompressNIO
import NIOCore

/// Inflates a gzip file block by block as it is read (a rotated `app.log.1.gz`), every member of it
/// (`cat a.gz b.gz` makes two), so that a large file is never held whole.
struct GzipInflater {
    /// The file's gzip data is corrupt.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let decompressor: ZlibDecompressor
    private var input = ByteBuffer()
    private var window = ByteBufferAllocator().buffer(capacity: 256 * 1024)
    /// Whether the last member read ended: only then is the end of the file a clean one.
    private(set) var memberEnded = false

    init() throws {
        decompressor = try ZlibDecompressor(algorithm: .gzip)
    }

    /// The bytes `block` (the file's next compressed bytes) inflates to.
    mutating func inflate(_ block: [UInt8]) throws -> [UInt8] {
        input.discardReadBytes()  // what earlier blocks inflated is not kept
        input.writeBytes(block)
        var output: [UInt8] = []
        while input.readableBytes > 0 {
            if memberEnded {  // the next member
                try decompressor.reset()
                memberEnded = false
            }
            window.clear()
            do {
                try decompressor.inflate(from: &input, to: &window)
                output.append(contentsOf: window.readableBytesView)
                // Returned with input left: the member ended. With none left, once more without
                // input tells an ended member (zlib answers its end again) from one that goes on.
                if input.readableBytes > 0 {
                    memberEnded = true
                } else {
                    window.clear()
                    do {
                        try decompressor.inflate(from: &input, to: &window)
                        memberEnded = true
                    } catch let error as CompressNIOError where error == .inputBufferOverflow {}
                    output.append(contentsOf: window.readableBytesView)
                }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                output.append(contentsOf: window.readableBytesView)
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                output.append(contentsOf: window.readableBytesView)  // the member goes on in the next block
            } catch {
                throw Failure(description: "its gzip data is corrupt")
            }
        }
        return output
    }
}
