// Triggers each runtime fault in Rust and prints what it reports, one JSON object per line: a
// panic's message (what `thread '...' panicked at` prints) or an error's Display text. The
// standard library has no HTTP client, so no request timeout; a read timeout is errno's EAGAIN.
use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::panic;

fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out + "\""
}

fn report(fault: &str, kind: &str, message: &str) {
    println!("{{\"fault\": {}, \"type\": {}, \"message\": {}}}", quoted(fault), quoted(kind), quoted(message));
}

/// Runs `probe`; a panic is reported with its message, an error with its Display text.
fn catch<E: std::fmt::Display>(fault: &str, probe: impl FnOnce() -> Result<(), E> + panic::UnwindSafe) {
    match panic::catch_unwind(probe) {
        Ok(Ok(())) => {}
        Ok(Err(error)) => report(fault, std::any::type_name::<E>().rsplit("::").next().unwrap_or(""), &error.to_string()),
        Err(payload) => {
            let message = payload.downcast_ref::<String>().cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            report(fault, "panic", &message);
        }
    }
}

fn main() {
    // A failed allocation aborts the process: a child asks for 4 EiB, its message read from stderr.
    if std::env::args().nth(1).as_deref() == Some("out_of_memory") {
        let mut zqx: Vec<u8> = Vec::with_capacity(1 << 62);
        zqx.push(1);
        println!("{}", std::hint::black_box(&zqx).len());
        return;
    }
    if let Ok(output) = std::process::Command::new(std::env::current_exe().unwrap()).arg("out_of_memory").output() {
        report("out_of_memory", "", String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or(""));
    }
    panic::set_hook(Box::new(|_| {}));  // the probe prints each panic itself
    let args = std::env::args().count();
    let zqx_none: Option<u32> = if args > 100 { Some(1) } else { None };
    let zqx_vec = vec![1, 2];
    let zqx_map: HashMap<String, u32> = HashMap::new();
    let zqx_zero = args - args;
    catch("null_reference", move || -> Result<(), String> { let _ = zqx_none.unwrap(); Ok(()) });
    catch("index_out_of_range", move || -> Result<(), String> { let _ = zqx_vec[args + 6]; Ok(()) });
    catch("missing_key", move || -> Result<(), String> { let _ = zqx_map["zqxkey"]; Ok(()) });
    catch("division_by_zero", move || -> Result<(), String> { let _ = 1 / zqx_zero; Ok(()) });
    catch("number_parse", || "12,5zqx".parse::<i64>().map(|_| ()));
    catch("number_parse_float", || "12,5zqx".parse::<f64>().map(|_| ()));
    catch("encoding_invalid", || String::from_utf8(vec![0xff, b'z', b'q', b'x']).map(|_| ()));
    catch("file_not_found", || std::fs::File::open("/zqx/missing.conf").map(|_| ()));
    catch("permission_denied", || std::fs::write(format!("{}/zqx.conf", std::env::var("ZQX_LOCKED_DIR").unwrap_or_default()), "x"));
    catch("connection_refused", || TcpStream::connect("127.0.0.1:1").map(|_| ()));
    catch("dns_failure", || "zqx.invalid:80".to_socket_addrs().map(|_| ()));
    // Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
    catch("connection_closed_write", || -> std::io::Result<()> {
        let mut zqx = TcpStream::connect(format!("127.0.0.1:{}", std::env::var("ZQX_CLOSED_PORT").unwrap_or_default()))?;
        for _ in 0..50 {
            zqx.write_all(b"zqx\n")?;
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Ok(())
    });
}
