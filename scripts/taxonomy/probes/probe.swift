// Triggers each runtime fault in Swift and prints what it reports, one JSON object per line.
// A trap (force-unwrapping nil, an index out of range) ends the process, so each runs in a child
// (this program, given the fault's name) and its message (the `Fatal error:` line, or the first)
// is read from the child's standard error; Foundation's errors are caught. Build without
// optimization: an optimized build traps without a message.
import Foundation

let arguments = CommandLine.arguments
let zqxCount = arguments.count
let zqxNil: Int? = zqxCount > 100 ? 1 : nil
let zqxImplicit: Int! = zqxNil
let traps: [String: () -> Void] = [
    "null_reference": { print(zqxNil!) },
    "null_reference_implicit": { print(zqxImplicit + 1) },
    "index_out_of_range": { print([1, 2][zqxCount + 6]) },
    "division_by_zero": { print(1 / (zqxCount - zqxCount)) },
    "type_cast": { let zqx: Any = "zqx"; print(zqx as! Int) },
]
let errors: [(String, () throws -> Void)] = [
    ("file_not_found", { _ = try String(contentsOfFile: "/zqx/missing.conf", encoding: .utf8) }),
    ("permission_denied", { try "x".write(toFile: ProcessInfo.processInfo.environment["ZQX_LOCKED_DIR", default: ""] + "/zqx.conf", atomically: false, encoding: .utf8) }),
    ("json_parse", { _ = try JSONSerialization.jsonObject(with: Data("{zqx".utf8)) }),
    ("json_parse_decoder", { _ = try JSONDecoder().decode([String: Int].self, from: Data("{zqx".utf8)) }),
    ("json_parse_type", { _ = try JSONDecoder().decode([String: Int].self, from: Data("{\"a\": \"zqx\"}".utf8)) }),
]

func report(_ fault: String, _ type: String, _ message: String) {
    let object = ["fault": fault, "type": type, "message": message]
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

if arguments.count > 1, let trap = traps[arguments[1]] {
    trap()
    exit(0)
}
for (fault, _) in traps.sorted(by: { $0.key < $1.key }) {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: arguments[0])
    child.arguments = [fault]
    let errorOutput = Pipe()
    child.standardError = errorOutput
    child.standardOutput = FileHandle.nullDevice
    child.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
    try child.run()
    let text = String(decoding: errorOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    child.waitUntilExit()
    let lines = text.split(separator: "\n")
    if let line = lines.first(where: { $0.contains("Fatal error: ") }), let range = line.range(of: "Fatal error: ") {
        report(fault, "Fatal error", String(line[range.upperBound...]))
    } else if let line = lines.first {
        report(fault, "Fatal error", String(line))
    }
}
for (fault, body) in errors {
    do { try body() } catch { report(fault, String(describing: type(of: error)), error.localizedDescription) }
}
