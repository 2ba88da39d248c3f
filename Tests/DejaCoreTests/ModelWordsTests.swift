import Testing
@testable import DejaCore

@Suite struct ModelWordsTests {
    @Test("values are left out of what the model reads: ids, addresses, times, numbers")
    func valuesLeftOut() {
        #expect(ModelWords.of("request 9f1c2e7a-4b3d-4e8f-a1b2-c3d4e5f60718 from 10.1.5.20:8080 took 2412ms")
            == "request from took")
        #expect(ModelWords.of("2024-06-04T10:12:33.412Z worker 7 lost lease on blk_-5340885607150360719 at 0x7f3a2c1b4d90")
            == "worker lost lease on blk_- at")
        // Two lines stay two lines; the spaces a value leaves do not pile up.
        #expect(ModelWords.of("disk full on /dev/sda1\n  wrote 4096 of 8192 bytes") == "disk full on /dev/sda1\nwrote of bytes")
    }

    @Test("CamelCase identifiers are read by their words; snake_case and plain words stay as written")
    func camelCaseSpaced() {
        #expect(ModelWords.of("django.db.migrations.exceptions.InconsistentMigrationHistory: Migration is applied")
            == "django.db.migrations.exceptions.Inconsistent Migration History: Migration is applied")
        #expect(ModelWords.of("HTTPSConnectionPool(host='api', port=443): Max retries exceeded")
            == "HTTPS Connection Pool(host='api', port=): Max retries exceeded")
        #expect(ModelWords.of("max_retries_exceeded for JSON payload, NATS says OK") == "max_retries_exceeded for JSON payload, NATS says OK")
    }

    @Test("a text of values alone is read as it is, so that pasting one still means that one")
    func valuesAloneKept() {
        #expect(ModelWords.of("8e9e05c52164694d") == "8e9e05c52164694d")
        #expect(ModelWords.of("10.251.30.101:50010 2412ms") == "10.251.30.101:50010 2412ms")
        // Words in any script count as words.
        #expect(ModelWords.of("Ошибка подключения к 10.0.0.5:5432") == "Ошибка подключения к")
        #expect(ModelWords.of("接続エラー 10.0.0.5") == "接続エラー")
    }
}
