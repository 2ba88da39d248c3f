import DejaCore
import Testing

@Suite struct ErrorConceptsTests {
    @Test("one failure family is named however an ecosystem words it")
    func familiesAcrossEcosystems() {
        for line in ["java.lang.NullPointerException: Cannot invoke \"Cart.total()\"",
                     "System.NullReferenceException: Object reference not set to an instance of an object",
                     "AttributeError: 'NoneType' object has no attribute 'email'",
                     "NoMethodError: undefined method `email' for nil:NilClass",
                     "panic: runtime error: invalid memory address or nil pointer dereference",
                     "TypeError: Cannot read properties of undefined (reading 'sku')"] {
            #expect(ErrorConcepts.names(in: line).contains("null reference"), "\(line)")
        }
        #expect(ErrorConcepts.names(in: "dial tcp 10.0.0.7:5432: connect: connection refused") == ["connection refused"])
        #expect(ErrorConcepts.names(in: "write: No space left on device") == ["disk full"])
    }

    @Test("phrases match where words start; status codes match whole")
    func wordBoundaries() {
        // "enotfound" (Node's DNS error) sits inside FileNotFoundException.
        #expect(ErrorConcepts.names(in: "java.io.FileNotFoundException: /etc/app.yaml") == ["file not found"])
        #expect(ErrorConcepts.names(in: "HTTP 429 from upstream").contains("rate limited"))
        #expect(!ErrorConcepts.names(in: "request took 4290 ms").contains("rate limited"))
    }

    @Test("routine lines name no failure")
    func routineLines() {
        for line in ["GET /api/orders 200 12ms", "Started OrderService in 3.2 seconds", "checkpoint complete: wrote 42 buffers"] {
            #expect(ErrorConcepts.names(in: line).isEmpty, "\(line)")
        }
    }
}
