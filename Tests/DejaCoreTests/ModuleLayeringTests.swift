import Foundation
import Testing

/// The architecture as the imports show it: a module imports only the modules below it, and
/// `DejaCore`, the domain at the bottom, imports nothing but Foundation.
@Suite struct ModuleLayeringTests {
    /// What each Swift module may import: Deja's modules below it, and the packages it is built on
    /// (`DejaKernels` is C).
    static let allowed: [String: Set<String>] = [
        "DejaCore": ["Foundation"],
        "DejaEmbedding": ["Foundation", "Dispatch", "Synchronization", "COpenBLAS", "DejaKernels"],
        "DejaStore": ["Foundation", "Dispatch", "Glibc", "DejaCore", "DejaKernels", "GRDB", "GRDBSQLite", "AsyncHTTPClient",
                      "NIOCore", "NIOHTTP1", "NIOFoundationCompat", "PostgresNIO", "Synchronization"],
        "DejaIngest": ["Foundation", "Dispatch", "Glibc", "DejaCore", "DejaEmbedding", "DejaStore", "ServiceLifecycle", "Logging", "Synchronization",
                       "CompressNIO", "NIOCore"],
        "DejaSearch": ["Foundation", "Dispatch", "Glibc", "DejaCore", "DejaEmbedding", "DejaStore", "DejaKernels"],
        "DejaServer": ["Foundation", "FoundationEssentials", "Dispatch", "DejaCore", "DejaEmbedding", "DejaStore", "DejaIngest", "DejaSearch",
                       "Hummingbird", "HTTPTypes", "NIOCore", "Logging", "Prometheus", "SwiftProtobuf", "CompressNIO",
                       "AsyncHTTPClient", "NIOFoundationCompat", "ServiceLifecycle"],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// The modules each `.swift` file of `module` imports, with the file that does.
    static func imports(of module: String) throws -> [(file: String, module: String)] {
        let root = sources.appendingPathComponent(module)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [(String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            // Imports open a file: stop at its first declaration (a generated table's text is not code).
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            for line in lines.prefix(while: { $0.isEmpty || $0.hasPrefix("import ") || $0.hasPrefix("@") || $0.hasPrefix("//") }) {
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), words[..<index].allSatisfy({ $0.hasPrefix("@") }),
                      index + 1 < words.count else { continue }
                // `import struct Logging.Logger` names the module before the dot.
                let name = words.last!.split(separator: ".").first!
                found.append((url.lastPathComponent, String(name)))
            }
        }
        return found
    }

    @Test("every module imports only what its layer allows", arguments: allowed.keys.sorted())
    func importsFollowTheLayers(module: String) throws {
        let imports = try Self.imports(of: module)
        #expect(!imports.isEmpty, "no sources found for \(module) under \(Self.sources.path)")
        for (file, imported) in imports {
            #expect(Self.allowed[module]!.contains(imported), "\(module)/\(file) imports \(imported)")
        }
    }
}
