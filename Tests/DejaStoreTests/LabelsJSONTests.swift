@testable import DejaStore
import Foundation
import Testing

@Suite struct LabelsJSONTests {
    @Test("labels are stored as JSON with sorted keys that reads back exactly")
    func labelsRoundTrip() throws {
        let labels = ["pod": "checkout-7d9f", "app.kubernetes.io/name": "checkout", "quote": "say \"hi\"\\ok",
                      "control": "tab\tline\nbell\u{7}", "unicode": "café ☕ 😀", "": "empty key"]
        let text = LabelsJSON.encode(labels)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == labels)
        #expect(text.hasPrefix(#"{"":"empty key","app.kubernetes.io/name":"checkout","control":"tab\tline\nbell\u0007""#))
        #expect(LabelsJSON.encode([:]) == "{}")
        #expect(LabelsJSON.decode(text) == labels)
        #expect(LabelsJSON.decode("not json") == [:])
    }
}
