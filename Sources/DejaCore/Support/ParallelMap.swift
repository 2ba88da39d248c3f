import Foundation

extension Array where Element: Sendable {
    /// `map` over contiguous chunks on `cores` threads (all cores by default), results in order.
    /// Arrays under two chunks map on the caller's thread, where spreading the work would cost
    /// more than it saves.
    public func parallelMap<Result: Sendable>(minimumChunk: Int = 256, cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                                              _ transform: @Sendable (Element) -> Result) -> [Result] {
        let workers = Swift.min(cores, count / Swift.max(1, minimumChunk))
        guard workers > 1 else { return map(transform) }
        let chunk = (count + workers - 1) / workers
        let count = count
        return [Result](unsafeUninitializedCapacity: count) { buffer, initialized in
            let output = UncheckedSendable(value: buffer.baseAddress!)
            withUnsafeBufferPointer { input in
                let input = UncheckedSendable(value: input)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    // Each worker initializes its own disjoint range of the output.
                    for index in (worker * chunk)..<Swift.min(count, (worker + 1) * chunk) {
                        (output.value + index).initialize(to: transform(input.value[index]))
                    }
                }
            }
            initialized = count
        }
    }
}

/// A pointer handed to workers that touch disjoint parts of what it points to.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
