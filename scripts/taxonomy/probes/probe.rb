# Triggers each runtime fault in Ruby and prints what it raises, one JSON object per line.
require "json"
require "date"
require "socket"
require "net/http"

PROBES = {
  "null_reference" => -> { nil.zqxfield },
  "null_reference_index" => -> { zqx = nil; zqx["zqxkey"] },
  "null_reference_arithmetic" => -> { zqx = nil; zqx + 1 },
  "index_out_of_range" => -> { [1, 2].fetch(7) },
  "missing_key" => -> { {}.fetch("zqxkey") },
  "division_by_zero" => -> { 1 / 0 },
  "number_parse" => -> { Integer("12,5zqx") },
  "date_parse" => -> { Date.strptime("31.06.2024", "%Y-%m-%d") },
  "type_cast" => -> { "zqx" + 1 },
  "stack_overflow" => -> { zqx = ->(n) { zqx.(n + 1) }; zqx.(0) },
  "file_not_found" => -> { File.read("/zqx/missing.conf") },
  "permission_denied" => -> { File.write(File.join(ENV["ZQX_LOCKED_DIR"], "zqx.conf"), "x") },
  "connection_refused" => -> { TCPSocket.new("127.0.0.1", 1) },
  "dns_failure" => -> { Addrinfo.getaddrinfo("zqx.invalid", 80) },
  "json_parse" => -> { JSON.parse("{zqx") },
  "module_missing" => -> { require "zqxmod" },
  "encoding_invalid" => -> { "\xffzqx".force_encoding("UTF-8").split(",") },
  "concurrent_modification" => -> { zqx = { "a" => 1 }; zqx.each_key { |key| zqx[key + "zqx"] = 1 } },
  "out_of_memory" => -> { "x" * (1 << 40) },
  # A server that accepts and never answers: ZQX_SILENT_PORT, started by the generator.
  # ZQX_TLS_PORT: a TLS server for localhost whose certificate no one trusts, started by the generator.
  "certificate_untrusted" => -> { Net::HTTP.start("localhost", ENV["ZQX_TLS_PORT"].to_i, use_ssl: true) { |http| http.get("/zqx") } },
  # Servers that read the request and reset the connection (ZQX_RESET_PORT) or close it without an
  # answer (ZQX_CLOSED_PORT), started by the generator.
  "connection_reset" => -> { Net::HTTP.get(URI("http://127.0.0.1:#{ENV["ZQX_RESET_PORT"]}/zqx")) },
  "connection_closed" => -> { Net::HTTP.get(URI("http://127.0.0.1:#{ENV["ZQX_CLOSED_PORT"]}/zqx")) },
  # Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
  "connection_closed_write" => -> { TCPSocket.open("127.0.0.1", ENV["ZQX_CLOSED_PORT"].to_i) { |zqx| 50.times { zqx.write("zqx\n"); sleep 0.05 } } },
  # ActiveRecord's pool: one connection, taken, and a second asked for from another thread. Its
  # ConnectionTimeoutError reads as a connect timeout, which it is not: the message alone.
  "connection_pool_exhausted" => lambda do
    require "active_record"
    ActiveRecord::Base.establish_connection(adapter: "sqlite3", database: ":memory:", pool: 1, checkout_timeout: 0.1)
    ActiveRecord::Base.connection_pool.checkout
    Thread.new { Thread.current.report_on_exception = false; ActiveRecord::Base.connection_pool.checkout }.value
  rescue ActiveRecord::ConnectionTimeoutError => error
    raise StandardError, error.message
  end,
  "request_timeout" => -> { Net::HTTP.start("127.0.0.1", ENV["ZQX_SILENT_PORT"].to_i, read_timeout: 0.5) { |http| http.get("/zqx") } },
}
PROBES.each do |fault, probe|
  probe.call
rescue Exception => error
  puts JSON.generate({ fault: fault, type: error.class.name, message: error.message })
end
