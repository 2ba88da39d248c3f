// Triggers each runtime fault in .NET (Mono) and prints what it throws, one JSON object per line;
// with "hierarchy", prints every public exception type of the class library with its default message.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

public static class Probe {
    static string Quote(string s) => s == null ? "null" : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "") + "\"";

    static void Report(string fault, Exception error) =>
        Console.WriteLine("{\"fault\": " + Quote(fault) + ", \"type\": " + Quote(error.GetType().FullName) + ", \"message\": " + Quote(error.Message) + "}");

    static KeyValuePair<string, Func<object>> P(string fault, Func<object> probe) => new KeyValuePair<string, Func<object>>(fault, probe);

    [System.Runtime.InteropServices.DllImport("libzqx.so.1")] static extern void ZqxMissing();

    public static void Main(string[] args) {
        if (args.Length > 0 && args[0] == "hierarchy") { Hierarchy(); return; }
        var zqxZero = args.Length;
        var probes = new List<KeyValuePair<string, Func<object>>> {
            P("null_reference", () => { string zqx = args.Length > 99 ? "" : null; return zqx.Length; }),
            P("index_out_of_range", () => new int[2][args.Length + 7]),
            P("index_out_of_range", () => new List<int>()[7]),
            P("missing_key", () => new Dictionary<string, int>()["zqxkey"]),
            P("division_by_zero", () => 1 / zqxZero),
            P("number_parse", () => int.Parse("12,5zqx")),
            P("date_parse", () => DateTime.Parse("31.06.2024", System.Globalization.CultureInfo.GetCultureInfo("de-DE"))),
            P("type_cast", () => { object zqx = "x"; return (int)zqx; }),
            P("file_not_found", () => System.IO.File.ReadAllText("/zqx/missing.conf")),
            P("permission_denied", () => { System.IO.File.WriteAllText(Environment.GetEnvironmentVariable("ZQX_LOCKED_DIR") + "/zqx.conf", "x"); return null; }),
            P("connection_refused", () => new System.Net.Sockets.TcpClient("127.0.0.1", 1)),
            P("dns_failure", () => System.Net.Dns.GetHostEntry("zqx.invalid")),
            P("module_missing", () => Assembly.Load("Zqx.Missing")),
            P("encoding_invalid", () => new System.Text.UTF8Encoding(false, true).GetString(new byte[] { 0x80 })),
            P("concurrent_modification", () => { var zqx = new List<int> { 1, 2 }; foreach (var x in zqx) zqx.Add(x); return zqx; }),
            P("numeric_overflow", () => checked(int.MaxValue + zqxZero + 1)),
            P("xml_parse", () => { new System.Xml.XmlDocument().LoadXml("zqx"); return null; }),
            P("operation_canceled", () => { var zqx = new System.Threading.CancellationTokenSource(); zqx.Cancel(); zqx.Token.ThrowIfCancellationRequested(); return null; }),
            P("operation_canceled_task", () => { var zqx = new System.Threading.CancellationTokenSource(); zqx.Cancel(); System.Threading.Tasks.Task.Delay(-1, zqx.Token).GetAwaiter().GetResult(); return null; }),
            P("out_of_memory", () => new decimal[int.MaxValue - 64, 8]),
            P("module_missing_native", () => { ZqxMissing(); return null; }),
            // A server that reads the request and resets the connection: ZQX_RESET_PORT, started by the
            // generator. (Closed without an answer, Mono words it as no .NET release does.)
            P("connection_reset", () => System.Net.WebRequest.Create("http://127.0.0.1:" + Environment.GetEnvironmentVariable("ZQX_RESET_PORT") + "/zqx").GetResponse()),
            // Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
            P("connection_closed_write", () => {
                using (var zqx = new System.Net.Sockets.TcpClient("127.0.0.1", int.Parse(Environment.GetEnvironmentVariable("ZQX_CLOSED_PORT")))) {
                    for (var i = 0; i < 50; i++) { zqx.GetStream().Write(new byte[] { 122, 10 }, 0, 2); System.Threading.Thread.Sleep(50); }
                }
                return null;
            }),
            // A server that accepts and never answers: ZQX_SILENT_PORT, started by the generator.
            P("request_timeout", () => {
                var request = System.Net.WebRequest.Create("http://127.0.0.1:" + Environment.GetEnvironmentVariable("ZQX_SILENT_PORT") + "/zqx");
                request.Timeout = 500;
                return request.GetResponse();
            }),
        };
        foreach (var probe in probes) {
            try { probe.Value(); } catch (Exception error) { Report(probe.Key, error); }
        }
    }

    static void Hierarchy() {
        var names = new[] { "mscorlib", "System", "System.Core", "System.Data", "System.Xml", "System.Net.Http", "System.Runtime.Serialization", "System.Configuration", "System.Transactions", "System.Web.Services" };
        foreach (var name in names) {
            Assembly assembly;
            try { assembly = Assembly.LoadWithPartialName(name); } catch { continue; }
            if (assembly == null) continue;
            Type[] types;
            try { types = assembly.GetExportedTypes(); } catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t != null).ToArray(); }
            foreach (var type in types.Where(t => typeof(Exception).IsAssignableFrom(t) && !t.IsAbstract && !t.IsGenericType).OrderBy(t => t.FullName)) {
                string message = null;
                try {
                    if (type.GetConstructor(Type.EmptyTypes) != null) message = ((Exception)Activator.CreateInstance(type)).Message;
                } catch { }
                Console.WriteLine("{\"type\": " + Quote(type.FullName) + ", \"base\": " + Quote(type.BaseType?.FullName) + ", \"message\": " + Quote(message) + "}");
            }
        }
    }
}
