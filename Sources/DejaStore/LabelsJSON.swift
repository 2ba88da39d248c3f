import Foundation
/// Labels as stored: a JSON object with sorted keys, so that equal labels are equal text. Written
/// by hand because it runs once per event on the ingest path, where `JSONEncoder` cost more than
/// the rest of preparing a typical labelled event.
enum LabelsJSON {
    /// Labels as `encode` wrote them; text that does not read as labels is none.
    static func decode(_ text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    static func encode(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "{}" }
        var output: [UInt8] = [UInt8(ascii: "{")]
        output.reserveCapacity(labels.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (index, key) in labels.keys.sorted().enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            append(key, to: &output)
            output.append(UInt8(ascii: ":"))
            append(labels[key]!, to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as is.
    private static func append(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
