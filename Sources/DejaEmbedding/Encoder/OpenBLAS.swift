import COpenBLAS
import Foundation

/// OpenBLAS, opened at run time so that its kernels can be chosen first.
///
/// Debian's OpenBLAS 0.3.21 does not recognize recent Xeons (Sapphire Rapids here) and falls back
/// to its SSE3 "Prescott" kernels, 2-3x slower than its AVX-512 ones. It reads `OPENBLAS_CORETYPE`
/// once, when it loads; so unless the user set it, Deja sets it from the CPU's own feature flags
/// before opening the library. Deja runs its own threads and keeps OpenBLAS single-threaded.
struct OpenBLAS: @unchecked Sendable {
    // @unchecked: immutable C function pointers into a library that is never closed.
    typealias SGEMM = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
                                      UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
                                      UnsafeMutablePointer<Float>?, Int32) -> Void
    let sgemm: SGEMM
    /// The kernel family OpenBLAS runs, e.g. `SkylakeX`.
    let coreName: String

    /// The process-wide library, opened on first use.
    static let shared: Result<OpenBLAS, EmbeddingError> = Result { try OpenBLAS() }.mapError { $0 as! EmbeddingError }

    private init() throws {
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = Self.coreForThisCPU() {
            setenv("OPENBLAS_CORETYPE", core, 0)
        }
        let names = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"]
        guard let handle = names.lazy.compactMap({ (name: String) in dlopen(name, RTLD_NOW) }).first else {
            throw EmbeddingError.unsupported("OpenBLAS", "libopenblas is not installed (apt-get install libopenblas-dev, or run scripts/setup.sh)")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let pointer = dlsym(handle, name) else {
                throw EmbeddingError.unsupported("OpenBLAS", "the library has no \(name)")
            }
            return unsafeBitCast(pointer, to: type)
        }
        sgemm = try symbol("cblas_sgemm", as: SGEMM.self)
        let setThreads = try symbol("openblas_set_num_threads", as: (@convention(c) (Int32) -> Void).self)
        setThreads(1)
        let coreName = try symbol("openblas_get_corename", as: (@convention(c) () -> UnsafePointer<CChar>?).self)
        self.coreName = coreName().map { String(cString: $0) } ?? "unknown"
    }

    /// The OpenBLAS kernel family this CPU's flags support, or nil to let OpenBLAS decide.
    /// `DEJA_KERNEL=avx2` takes AVX2 kernels here too, so that an AVX-512 CPU runs what an AVX2-only one does.
    static func coreForThisCPU() -> String? {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        let avx512 = ProcessInfo.processInfo.environment["DEJA_KERNEL"] != "avx2"
        if avx512, flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}
