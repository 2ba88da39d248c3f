import DejaCore

/// A batch of events as the bytes of one write-ahead-log record: compact, and fast to write and
/// read (lengths as LEB128 varints, strings as UTF-8). Version 2 adds the line's own time; records
/// of version 1, written before it, are still read.
public enum EventBatchCodec {
    static let version: UInt8 = 2

    public static func encode(_ events: [LogEvent]) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(events.reduce(16) { $0 + $1.body.utf8.count + 64 })
        putVarint(UInt64(events.count), &out)
        for event in events {
            putString(event.tenant, &out)
            putString(event.service, &out)
            out.append(UInt8(event.level.rawValue))
            putVarint(UInt64(bitPattern: event.timestamp), &out)
            if let line = event.lineTimestamp { out.append(1); putVarint(UInt64(bitPattern: line), &out) } else { out.append(0) }
            if let id = event.externalID { out.append(1); putString(id, &out) } else { out.append(0) }
            putMap(event.labels, &out)
            putMap(event.attributes, &out)
            putString(event.body, &out)
        }
        return out
    }

    /// The events of a record; nil when the bytes are not such a record.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [LogEvent]? {
        var reader = Reader(bytes: bytes)
        guard let recordVersion = reader.byte(), recordVersion == 1 || recordVersion == version, let count = reader.varint(),
              count <= UInt64(bytes.count) else { return nil }
        var events: [LogEvent] = []
        events.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let tenant = reader.string(), let service = reader.string(), let levelByte = reader.byte(),
                  let level = Severity(rawValue: Int(levelByte)), let time = reader.varint() else { return nil }
            var lineTime: UInt64?
            if recordVersion >= 2 {
                guard let hasLineTime = reader.byte(), hasLineTime <= 1 else { return nil }
                if hasLineTime == 1 { guard let value = reader.varint() else { return nil }; lineTime = value }
            }
            guard let hasID = reader.byte() else { return nil }
            var id: String?
            if hasID == 1 { guard let text = reader.string() else { return nil }; id = text }
            guard let labels = reader.map(), let attributes = reader.map(), let body = reader.string() else { return nil }
            events.append(LogEvent(timestamp: Int64(bitPattern: time), tenant: tenant, service: service, level: level, labels: labels,
                                   body: body, attributes: attributes, externalID: id, lineTimestamp: lineTime.map { Int64(bitPattern: $0) }))
        }
        return reader.atEnd ? events : nil
    }

    private static func putVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func putString(_ text: String, _ out: inout [UInt8]) {
        putVarint(UInt64(text.utf8.count), &out)
        out.append(contentsOf: text.utf8)
    }

    private static func putMap(_ map: [String: String], _ out: inout [UInt8]) {
        putVarint(UInt64(map.count), &out)
        for (key, value) in map {
            putString(key, &out)
            putString(value, &out)
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == bytes.count }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = byte() {
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }

        mutating func string() -> String? {
            guard let length = varint(), length <= UInt64(bytes.count - at) else { return nil }
            defer { at += Int(length) }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<at + Int(length)]), as: UTF8.self)
        }

        mutating func map() -> [String: String]? {
            guard let count = varint(), count <= UInt64(bytes.count - at) else { return nil }
            var map: [String: String] = [:]
            for _ in 0..<count {
                guard let key = string(), let value = string() else { return nil }
                map[key] = value
            }
            return map
        }
    }
}
