// Triggers each runtime fault in Node.js and prints what it throws, one JSON object per line.
const fs = require("fs"), net = require("net"), dns = require("dns");
const report = (fault, error) => console.log(JSON.stringify({ fault, type: typeof error.code === "string" ? error.code : error.name, message: error.message }));
const probes = {
  null_reference: () => { const o = null; return o.zqxfield; },
  null_reference_undefined: () => { let o; return o.zqxfield; },
  null_reference_store: () => { const o = null; o.zqxfield = 1; },
  null_reference_store_undefined: () => { let o; o.zqxfield = 1; },
  index_out_of_range: () => new Array(-1),
  division_by_zero: () => { if (1n / 0n) return 0; },
  number_parse: () => BigInt("12,5zqx"),
  date_parse: () => new Date("31.06.2024").toISOString(),
  type_cast: () => { const zqxfn = 1; zqxfn(); },
  stack_overflow: () => { const f = () => f(); f(); },
  file_not_found: () => fs.readFileSync("/zqx/missing.conf"),
  permission_denied: () => fs.writeFileSync(process.env.ZQX_LOCKED_DIR + "/zqx.conf", "x"),
  json_parse: () => JSON.parse("{zqx"),
  json_parse_empty: () => JSON.parse(""),
  json_parse_html: () => JSON.parse("<html>zqx</html>"),
  module_missing: () => require("zqxmod"),
  encoding_invalid: () => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff])),
};
for (const [fault, probe] of Object.entries(probes)) {
  try { probe(); } catch (error) { report(fault, error); }
}
net.connect(1, "127.0.0.1").on("error", (error) => report("connection_refused", error));
// A heap exhausted ends the process: a child with a small heap, its fatal error read from stderr.
const exhausted = require("child_process").spawnSync(process.execPath, ["--max-old-space-size=16", "-e", "const a = []; for (;;) a.push(new Array(1e5).fill(1))"], { encoding: "utf8" });
report("out_of_memory", { name: "", message: exhausted.stderr.split("\n").find((line) => line.startsWith("FATAL ERROR")) || "" });
// ZQX_TLS_PORT: a TLS server for localhost whose certificate no one trusts, started by the generator.
require("tls").connect({ port: +process.env.ZQX_TLS_PORT, host: "localhost" }).on("error", (error) => report("certificate_untrusted", error));
const canceled = new AbortController();
canceled.abort();
fetch(`http://127.0.0.1:${process.env.ZQX_SILENT_PORT}/zqx`, { signal: canceled.signal }).catch((error) => report("operation_canceled", error));
dns.lookup("zqx.invalid", (error) => report("dns_failure", error));
// Servers that read the request and reset the connection (ZQX_RESET_PORT) or close it without an
// answer (ZQX_CLOSED_PORT), started by the generator.
for (const [fault, port] of [["connection_reset", process.env.ZQX_RESET_PORT], ["connection_closed", process.env.ZQX_CLOSED_PORT]])
  require("http").get(`http://127.0.0.1:${port}/zqx`).on("error", (error) => report(fault, error));
// Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
{
  // Half-open, as a server's socket is while it writes a response: the peer's FIN leaves it writable.
  const zqx = require("net").connect({ port: +process.env.ZQX_CLOSED_PORT, host: "127.0.0.1", allowHalfOpen: true });
  const writes = setInterval(() => zqx.write("zqx\n"), 50);
  zqx.on("error", (error) => report("connection_closed_write", error)).on("close", () => clearInterval(writes));
}
// A server that accepts and never answers: ZQX_SILENT_PORT, started by the generator.
fetch(`http://127.0.0.1:${process.env.ZQX_SILENT_PORT}/zqx`, { signal: AbortSignal.timeout(500) }).catch((error) => report("request_timeout", error));
