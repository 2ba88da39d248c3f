import Foundation
import Hummingbird

/// A request's query parameters as browsers, `URLSearchParams`, Python's `urlencode` and Grafana
/// encode them (`application/x-www-form-urlencoded`): `+` is a space, then keys and values are
/// percent-decoded (`%2B` is a plus). Hummingbird's `queryParameters` keeps `+` as itself, so
/// `q=disk+full` would search for "disk+full". Malformed percent-encoding is kept as written.
struct FormParameters: Sequence {
    let pairs: [(key: String, value: String)]

    init(query: String?) {
        pairs = (query ?? "").split(separator: "&").map { field in
            guard let equals = field.firstIndex(of: "=") else { return (key: Self.decoded(field), value: "") }
            return (key: Self.decoded(field[..<equals]), value: Self.decoded(field[field.index(after: equals)...]))
        }
    }

    /// The first value of `key`.
    subscript(_ key: String) -> Substring? { pairs.first { $0.key == key }.map { Substring($0.value) } }

    func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { pairs.makeIterator() }

    private static func decoded(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension Request {
    /// The query's parameters, decoded as forms encode them.
    var formParameters: FormParameters { FormParameters(query: uri.query) }

    /// The JSON body as `T`; a body of another shape is a 400 that shows the shape wanted
    /// (`expected`) beside what the decoder found.
    func decode<T: Decodable>(as type: T.Type, context: some RequestContext, expected: String) async throws -> T {
        do {
            return try await decode(as: type, context: context)
        } catch let error as HTTPError where error.status == .badRequest {
            throw HTTPError(.badRequest, message: "the body must be \(expected): \(error.body ?? "it is not")")
        }
    }
}

extension Parameters {
    /// The path parameter `name`, percent-decoded: an id with a space, a slash or a letter outside
    /// ASCII arrives encoded (`/api/v1/events/order%2042`), and the router hands it over as it came.
    func decoded(_ name: String) -> String? { get(name).map { $0.removingPercentEncoding ?? $0 } }

    /// `decoded(name)`, or a 400 when the route has no such parameter.
    func requireDecoded(_ name: String) throws -> String {
        let raw = try require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
