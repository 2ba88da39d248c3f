import DejaCore
import Foundation

/// The demo's logs, written by us and deterministic from a seed: a few hours of seven services in
/// their own languages and formats (Spring and .NET plain lines, Python and Node JSON, Go logfmt,
/// nginx), routine traffic with fresh values, and three failures that recur across services and
/// languages: a null dereference (steady), an upstream timeout (steady) and database connections
/// running out (rare, then rising over the last 40 minutes). Some lines carry secrets that
/// redaction must remove.
struct DemoCorpus {
    var seed: UInt64 = 1
    var hours = 3.0
    /// When the corpus ends, nanoseconds.
    var end: Int64

    /// The service whose failure rises at the end, and the alert the demo raises on it.
    static let risingService = "payments"

    func events() -> [LogEvent] {
        var random = SeededGenerator(seed: seed)
        let start = end - Int64(hours * 3_600 * 1e9)
        var events: [LogEvent] = []
        func add(_ at: Int64, _ service: String, _ level: Severity, _ body: String) {
            events.append(LogEvent(timestamp: at, service: service, level: level, labels: ["env": "demo"], body: body))
        }
        // Routine traffic: each service logs every few seconds.
        for (service, every) in [("checkout", 4.0), ("pricing", 5.0), ("inventory", 6.0), ("billing", 9.0), ("storefront", 3.0),
                                 ("gateway", 2.0), ("payments", 5.0)] {
            var at = start + Int64(Double.random(in: 0..<every, using: &random) * 1e9)
            while at < end {
                let (level, body) = Self.routine(service, at: at, random: &random)
                add(at, service, level, body)
                at += Int64(Double.random(in: 0.5..<1.5, using: &random) * every * 1e9)
            }
        }
        // Failures at their own rhythms.
        func occurrences(every minutes: Double, from: Int64, _ make: (Int64, inout SeededGenerator) -> Void) {
            var at = from + Int64(Double.random(in: 0..<minutes, using: &random) * 60e9)
            while at < end {
                make(at, &random)
                at += Int64(Double.random(in: 0.5..<1.5, using: &random) * minutes * 60e9)
            }
        }
        occurrences(every: 6, from: start) { at, random in
            let (service, body) = Self.nullDereference(at: at, random: &random)
            add(at, service, .error, body)
        }
        occurrences(every: 9, from: start) { at, random in
            let (service, body) = Self.upstreamTimeout(at: at, random: &random)
            add(at, service, .error, body)
        }
        occurrences(every: 50, from: start) { at, random in
            let (service, body) = Self.connectionsExhausted(at: at, random: &random)
            add(at, service, .error, body)
        }
        occurrences(every: 0.6, from: end - Int64(40 * 60e9)) { at, random in
            let (service, body) = Self.connectionsExhausted(at: at, random: &random)
            add(at, service, .error, body)
        }
        return events.sorted { $0.timestamp < $1.timestamp }
    }

    // MARK: - Routine lines

    private static func routine(_ service: String, at: Int64, random: inout SeededGenerator) -> (Severity, String) {
        let id = Int.random(in: 10_000...99_999, using: &random)
        let ms = Int.random(in: 3...420, using: &random)
        let pick = Int.random(in: 0..<10, using: &random)
        let time = RFC3339.string(at)
        switch service {
        case "checkout":
            let thread = Int.random(in: 1...12, using: &random)
            let lines = [
                spring(at, "INFO", "[nio-8080-exec-\(thread)] c.s.checkout.CheckoutController : order \(id) submitted in \(ms) ms"),
                spring(at, "INFO", "[nio-8080-exec-\(thread)] c.s.checkout.CartService : cart \(id) priced with \(pick + 1) items"),
                spring(at, "DEBUG", "[nio-8080-exec-\(thread)] c.s.checkout.TaxCalculator : tax rate 0.\(pick)9 applied to cart \(id)"),
            ]
            return (pick % 3 == 2 ? .debug : .info, lines[pick % 3])
        case "pricing":
            let lines = [
                #"{"time":"\#(time)","level":"info","logger":"pricing.api","msg":"quote served","sku":"SKU-\#(id)","ms":\#(ms)}"#,
                #"{"time":"\#(time)","level":"info","logger":"pricing.cache","msg":"cache hit","key":"price:SKU-\#(id)"}"#,
                #"{"time":"\#(time)","level":"debug","logger":"pricing.rules","msg":"rule applied","rule":"bulk-\#(pick)","sku":"SKU-\#(id)"}"#,
            ]
            return (pick % 3 == 2 ? .debug : .info, lines[pick % 3])
        case "inventory":
            let lines = [
                "time=\(time) level=info msg=\"stock reserved\" sku=SKU-\(id) qty=\(pick + 1) took=\(ms)ms",
                "time=\(time) level=info msg=\"reservation released\" order=\(id)",
                "time=\(time) level=debug msg=\"warehouse sync\" warehouse=wh-\(pick) items=\(ms * 10)",
            ]
            return (pick % 3 == 2 ? .debug : .info, lines[pick % 3])
        case "billing":
            let lines = [
                "info: Billing.InvoiceService[0] Invoice INV-\(id) issued for order \(id) in \(ms) ms",
                "info: Billing.Ledger[0] Posted \(pick + 1) ledger lines for invoice INV-\(id)",
                "info: Microsoft.Hosting.Lifetime[0] Health check passed in \(ms) ms",
            ]
            return (.info, lines[pick % 3])
        case "storefront":
            let lines = [
                #"{"level":30,"time":"\#(time)","msg":"page rendered","route":"/product/\#(id)","ms":\#(ms)}"#,
                #"{"level":30,"time":"\#(time)","msg":"session refreshed","session":"s-\#(id)"}"#,
                #"{"level":20,"time":"\#(time)","msg":"asset served from cache","path":"/static/app.\#(pick)a9f.js"}"#,
            ]
            return (pick % 3 == 2 ? .debug : .info, lines[pick % 3])
        case "gateway":
            let paths = ["/api/cart", "/api/products/\(id)", "/api/checkout", "/api/quote?sku=SKU-\(id)"]
            let status = pick == 0 ? 404 : 200
            if pick == 9 {
                // Debug logging of forwarded headers: the token must not reach the store.
                return (.debug, "forwarding GET /api/cart with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.\(id)sIgnAtUrE")
            }
            return (.info, "10.0.\(pick).\(id % 250) - - [\(time)] \"GET \(paths[pick % 4]) HTTP/1.1\" \(status) \(ms * 31) \"-\" \"Mozilla/5.0\" rt=0.\(ms)")
        default:  // payments
            let lines = [
                spring(at, "INFO", "[pay-worker-\(pick)] c.s.payments.PaymentService : payment \(id) authorized in \(ms) ms"),
                spring(at, "INFO", "[pay-worker-\(pick)] c.s.payments.WebhookListener : provider webhook \(id) acknowledged"),
                spring(at, "INFO", "[pay-worker-\(pick)] c.s.payments.Settlement : settlement batch \(id) closed with \(ms) payments"),
            ]
            return (.info, lines[pick % 3])
        }
    }

    /// Spring Boot 3's default line: `2026-12-07T15:48:49.553Z ERROR 1 --- [thread] logger : message`.
    private static func spring(_ at: Int64, _ level: String, _ rest: String) -> String {
        let millis = at % 1_000_000_000 / 1_000_000
        let time = RFC3339.string(at - at % 1_000_000_000).dropLast() + "." + String(format: "%03d", millis) + "Z"
        return "\(time) \(String(repeating: " ", count: max(0, 5 - level.count)))\(level) 1 --- \(rest)"
    }

    /// nginx's error log time: `2026/12/07 15:48:49`.
    private static func nginxTime(_ at: Int64) -> String {
        String(RFC3339.string(at - at % 1_000_000_000).dropLast()).replacingOccurrences(of: "-", with: "/").replacingOccurrences(of: "T", with: " ")
    }

    // MARK: - Failures

    private static func nullDereference(at: Int64, random: inout SeededGenerator) -> (String, String) {
        let id = Int.random(in: 1_000...9_999, using: &random)
        let time = RFC3339.string(at)
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            return ("checkout", """
                \(spring(at, "ERROR", "[nio-8080-exec-\(id % 12)] c.s.checkout.CheckoutController : checkout failed for cart \(id)"))
                java.lang.NullPointerException: Cannot invoke "com.shop.checkout.Address.getCountry()" because "shipping" is null
                \tat com.shop.checkout.TaxCalculator.rateFor(TaxCalculator.java:58)
                \tat com.shop.checkout.CheckoutService.total(CheckoutService.java:131)
                \tat com.shop.checkout.CheckoutController.submit(CheckoutController.java:44)
                """)
        case 1:
            let trace = "Traceback (most recent call last):\\n  File \\\"/app/pricing/api.py\\\", line 88, in quote\\n    return base.price * rate\\nAttributeError: 'NoneType' object has no attribute 'price'"
            return ("pricing", #"{"time":"\#(time)","level":"error","logger":"pricing.api","msg":"quote failed","sku":"SKU-\#(id)","exc_info":"\#(trace)"}"#)
        case 2:
            return ("inventory", """
                panic: runtime error: invalid memory address or nil pointer dereference
                [signal SIGSEGV: segmentation violation code=0x1 addr=0x\(String(id, radix: 16)) pc=0x6b1f2a]

                goroutine \(id % 300) [running]:
                main.(*Reserver).Release(0x0, {0xc0001a2000, 0x\(String(id, radix: 16))})
                \t/src/inventory/reserve.go:77 +0x2a
                """)
        case 3:
            return ("billing", """
                fail: Billing.InvoiceService[0] Invoice INV-\(id) failed
                System.NullReferenceException: Object reference not set to an instance of an object.
                   at Billing.InvoiceService.AddTax(Invoice invoice) in /src/Billing/InvoiceService.cs:line 112
                   at Billing.InvoiceService.Issue(Order order) in /src/Billing/InvoiceService.cs:line 64
                """)
        default:
            let stack = "TypeError: Cannot read properties of undefined (reading 'price')\\n    at renderPrice (/srv/storefront/components/Price.js:14:22)\\n    at ProductPage (/srv/storefront/pages/product.js:41:9)"
            return ("storefront", #"{"level":50,"time":"\#(time)","msg":"render failed","route":"/product/\#(id)","err":{"type":"TypeError","stack":"\#(stack)"}}"#)
        }
    }

    private static func upstreamTimeout(at: Int64, random: inout SeededGenerator) -> (String, String) {
        let id = Int.random(in: 1_000...9_999, using: &random)
        let time = RFC3339.string(at)
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            return ("gateway", "\(nginxTime(at)) [error] 29#29: *\(id) upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.3.\(id % 250), server: shop, request: \"GET /api/quote HTTP/1.1\", upstream: \"http://10.1.0.7:8000/quote\"")
        case 1:
            return ("storefront", #"{"level":50,"time":"\#(time)","msg":"fetch failed","url":"http://pricing:8000/quote?sku=SKU-\#(id)","err":{"code":"ETIMEDOUT","message":"connect ETIMEDOUT 10.1.0.7:8000"}}"#)
        default:
            return ("checkout", """
                \(spring(at, "ERROR", "[nio-8080-exec-\(id % 12)] c.s.checkout.PricingClient : quote for cart \(id) failed"))
                java.net.SocketTimeoutException: Read timed out
                \tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)
                \tat com.shop.checkout.PricingClient.quote(PricingClient.java:52)
                """)
        }
    }

    private static func connectionsExhausted(at: Int64, random: inout SeededGenerator) -> (String, String) {
        let id = Int.random(in: 1_000...9_999, using: &random)
        let time = RFC3339.string(at)
        switch Int.random(in: 0..<4, using: &random) {
        case 0, 1:
            return (risingService, """
                \(spring(at, "ERROR", "[pay-worker-\(id % 8)] c.s.payments.PaymentService : payment \(id) failed"))
                java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
                \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
                \tat com.shop.payments.PaymentRepository.save(PaymentRepository.java:40)
                """)
        case 2:
            // The connection string's password must be redacted.
            return ("pricing", #"{"time":"\#(time)","level":"error","logger":"pricing.db","msg":"could not connect to postgresql://pricing:Pr1c1ng-S3cret@pricing-db:5432/pricing","error":"FATAL: remaining connection slots are reserved for non-replication superuser connections"}"#)
        default:
            return ("inventory", "time=\(time) level=error msg=\"reserve stock\" order=\(id) err=\"pq: sorry, too many clients already\"")
        }
    }
}
