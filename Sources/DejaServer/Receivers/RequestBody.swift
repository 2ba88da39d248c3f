import Foundation
import Hummingbird
import NIOCore

/// A request refused for what it carries: the status and a message that names the problem, and the
/// reason under which `/metrics` counts it.
struct Rejection: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let reason: String
    let message: String

    static func badRequest(_ message: String, reason: String = "malformed") -> Rejection {
        Rejection(status: .badRequest, reason: reason, message: message)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(status, message: message).response(from: request, context: context)
    }
}

/// The body of an ingest request, within the limits, decompressed when the client says so.
enum RequestBody {
    /// `snappyIsMarker`: Loki's push treats `Content-Encoding: snappy` as a marker of the protobuf
    /// body's own snappy framing (Alloy sends it), not as a second layer.
    static func bytes(of request: Request, limits: IngestLimits, snappyIsMarker: Bool = false) async throws -> [UInt8] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw Rejection(status: .contentTooLarge, reason: "body_too_large",
                            message: "request body is over the \(limits.maxBodyBytes)-byte limit")
        }
        let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces) ?? "identity"
        switch encoding {
        case "identity", "":
            return Array(buffer.readableBytesView)
        case "snappy" where snappyIsMarker:
            return Array(buffer.readableBytesView)
        case "gzip", "x-gzip", "deflate":
            do {
                return try ZlibBody.inflate(buffer, gzip: encoding != "deflate", limit: limits.maxDecompressedBytes)
            } catch ZlibBody.Failure.tooLarge {
                throw Rejection(status: .contentTooLarge, reason: "decompressed_too_large",
                                message: "\(encoding) body inflates past the \(limits.maxDecompressedBytes)-byte limit")
            } catch {
                throw Rejection.badRequest("\(encoding) body could not be decompressed: \(error)")
            }
        case "snappy":
            return try snappy(Array(buffer.readableBytesView), limits: limits)
        default:
            throw Rejection(status: .unsupportedMediaType, reason: "unsupported_encoding",
                            message: "Content-Encoding '\(encoding)' is not supported (identity, gzip, deflate, snappy)")
        }
    }

    /// A text body without the UTF-8 byte order mark a Windows tool may open it with.
    static func text(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
    }

    /// Snappy block decompression within the decompressed-size limit.
    static func snappy(_ bytes: [UInt8], limits: IngestLimits) throws -> [UInt8] {
        do {
            return try Snappy.decompress(bytes, limit: limits.maxDecompressedBytes)
        } catch let failure as Snappy.Failure {
            if case .tooLarge = failure {
                throw Rejection(status: .contentTooLarge, reason: "decompressed_too_large", message: failure.description)
            }
            throw Rejection.badRequest(failure.description)
        }
    }

    /// Refuses JSON nested deeper than the limit before any parser sees it (a deep document can
    /// exhaust a recursive parser's stack).
    static func checkJSONDepth(_ bytes: [UInt8], limits: IngestLimits) throws {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limits.maxJSONDepth {
                    throw Rejection(status: .badRequest, reason: "json_too_deep",
                                    message: "JSON nests deeper than the limit of \(limits.maxJSONDepth) levels")
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
    }

    /// Refuses a line over the limit, naming where it is.
    static func checkLine(_ line: String, at place: @autoclosure () -> String, limits: IngestLimits) throws {
        guard line.utf8.count <= limits.maxLineBytes else {
            throw Rejection(status: .contentTooLarge, reason: "line_too_large",
                            message: "\(place()): line of \(line.utf8.count) bytes is over the \(limits.maxLineBytes)-byte limit")
        }
    }
}
