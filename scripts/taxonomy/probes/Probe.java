// Triggers each runtime fault in the JVM and prints what it throws, one JSON object per line.
import java.util.*;
import java.util.concurrent.Callable;

public class Probe {
    static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
    static int depth(int n) { return depth(n + 1) + 1; }
    public static void main(String[] args) throws Exception {
        Map<String, Callable<Object>> probes = new LinkedHashMap<>();
        probes.put("null_reference", () -> { String zqx = args.length > 99 ? "" : null; return zqx.length(); });
        probes.put("index_out_of_range", () -> new int[2][args.length + 7 - 9][0]);
        probes.put("null_reference_field", () -> { java.awt.Point zqx = args.length > 99 ? new java.awt.Point() : null; return zqx.x; });
        probes.put("null_reference_array", () -> { int[] zqx = args.length > 99 ? new int[1] : null; return zqx.length; });
        probes.put("null_reference_unboxing", () -> { Integer zqx = args.length > 99 ? 1 : null; int value = zqx; return value; });
        probes.put("index_out_of_range", () -> new ArrayList<Integer>().get(7));
        probes.put("index_out_of_range_array", () -> new int[2][args.length + 7]);
        probes.put("missing_key", () -> new HashMap<String, Integer>().entrySet().iterator().next());
        probes.put("division_by_zero", () -> 1 / (args.length));
        probes.put("number_parse", () -> Integer.parseInt("12,5zqx"));
        probes.put("date_parse", () -> java.time.LocalDate.parse("31.06.2024"));
        probes.put("type_cast", () -> { Object zqx = "x"; return (Integer) zqx; });
        probes.put("stack_overflow", () -> depth(0));
        probes.put("file_not_found", () -> new java.io.FileInputStream("/zqx/missing.conf"));
        probes.put("permission_denied", () -> java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv("ZQX_LOCKED_DIR"), "zqx.conf"), "x"));
        probes.put("permission_denied_stream", () -> new java.io.FileOutputStream(System.getenv("ZQX_LOCKED_DIR") + "/zqx.conf"));
        probes.put("connection_refused", () -> new java.net.Socket("127.0.0.1", 1));
        probes.put("dns_failure", () -> java.net.InetAddress.getByName("zqx.invalid"));
        probes.put("module_missing", () -> Class.forName("com.zqx.Missing"));
        probes.put("concurrent_modification", () -> { var zqx = new ArrayList<>(List.of(1, 2)); for (var x : zqx) zqx.add(x); return zqx; });
        probes.put("xml_parse", () -> javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new org.xml.sax.InputSource(new java.io.StringReader("zqx"))));
        probes.put("out_of_memory", () -> new long[100_000_000]);  // over the generator's -Xmx256m
        // A class that was there at compile time and is not at run time (a jar left off the class path).
        probes.put("module_missing_linked", () -> {
            var dir = java.nio.file.Files.createTempDirectory("zqx");
            var source = java.nio.file.Files.writeString(dir.resolve("ZqxUser.java"),
                "public class ZqxUser { public static Object run() { return new ZqxDep(); } } class ZqxDep {}");
            javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), source.toString());
            java.nio.file.Files.delete(dir.resolve("ZqxDep.class"));
            try {
                return new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}).loadClass("ZqxUser").getMethod("run").invoke(null);
            } catch (java.lang.reflect.InvocationTargetException error) {
                throw (Error) error.getCause();
            }
        });
        // ZQX_TLS_PORT: a TLS server for localhost whose certificate no one trusts, started by the generator.
        // The handshake's message names the alert it sent first in some releases, `(certificate_unknown)`;
        // its root cause's message is the same in all of them.
        probes.put("certificate_untrusted", () -> {
            try {
                return ((javax.net.ssl.HttpsURLConnection) java.net.URI.create("https://localhost:" + System.getenv("ZQX_TLS_PORT") + "/zqx")
                    .toURL().openConnection()).getResponseCode();
            } catch (javax.net.ssl.SSLHandshakeException error) {
                Throwable root = error;
                while (root.getCause() != null) root = root.getCause();
                throw (Exception) root;
            }
        });
        // Servers that read the request and reset the connection (ZQX_RESET_PORT) or close it without
        // an answer (ZQX_CLOSED_PORT), started by the generator.
        for (var fault : List.of("connection_reset", "connection_closed")) {
            var port = System.getenv(fault.equals("connection_reset") ? "ZQX_RESET_PORT" : "ZQX_CLOSED_PORT");
            probes.put(fault, () -> ((java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + port + "/zqx").toURL().openConnection()).getResponseCode());
        }
        // Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
        probes.put("connection_closed_write", () -> {
            try (var zqx = new java.net.Socket("127.0.0.1", Integer.parseInt(System.getenv("ZQX_CLOSED_PORT")))) {
                for (int i = 0; i < 50; i++) { zqx.getOutputStream().write("zqx\n".getBytes()); Thread.sleep(50); }
            }
            return null;
        });
        // The most used connection pool (HikariCP, on the class path the generator gives): one
        // connection, taken, and a second asked for.
        probes.put("connection_pool_exhausted", () -> {
            var config = new com.zaxxer.hikari.HikariConfig();
            config.setJdbcUrl("jdbc:sqlite::memory:");
            config.setMaximumPoolSize(1);
            config.setConnectionTimeout(250);
            var pool = new com.zaxxer.hikari.HikariDataSource(config);
            var held = pool.getConnection();
            return pool.getConnection();
        });
        // A server that accepts and never answers: ZQX_SILENT_PORT, started by the generator.
        var silent = java.net.URI.create("http://127.0.0.1:" + System.getenv("ZQX_SILENT_PORT") + "/zqx");
        probes.put("request_timeout", () -> java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(silent).timeout(java.time.Duration.ofMillis(500)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()));
        probes.put("request_timeout_socket", () -> {
            var connection = (java.net.HttpURLConnection) silent.toURL().openConnection();
            connection.setReadTimeout(500);
            return connection.getResponseCode();
        });
        for (var probe : probes.entrySet()) {
            try { probe.getValue().call(); } catch (Throwable error) {
                System.out.println("{\"fault\": " + quote(probe.getKey()) + ", \"type\": " + quote(error.getClass().getName())
                    + ", \"message\": " + quote(error.getMessage()) + "}");
            }
        }
    }
}
