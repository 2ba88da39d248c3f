// Triggers each runtime fault in Go and prints what it reports, one JSON object per line.
package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type zqxStruct struct{ zqxfield int }

func report(fault string, value any) {
	line, _ := json.Marshal(map[string]string{"fault": fault, "type": fmt.Sprintf("%T", value), "message": fmt.Sprint(value)})
	fmt.Println(string(line))
}

func catch(fault string, probe func() error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			report(fault, recovered)
		}
	}()
	if err := probe(); err != nil {
		report(fault, err)
	}
}

func main() {
	// Memory exhausted ends the process: a child limited to 1 GiB of address space asks for 2 GiB,
	// and the runtime's fatal error is read from its output.
	if len(os.Args) > 1 && os.Args[1] == "out_of_memory" {
		syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: 1 << 30, Max: 1 << 30})
		zqx := make([]byte, 2<<30)
		zqx[len(zqx)-1] = 1
		return
	}
	// Two goroutines writing one map: the runtime ends the process.
	if len(os.Args) > 1 && os.Args[1] == "concurrent_modification" {
		zqx := map[int]int{}
		go func() {
			for i := 0; ; i++ {
				zqx[i] = i
			}
		}()
		for i := 0; ; i++ {
			zqx[-i] = i
		}
	}
	for _, fault := range []string{"out_of_memory", "concurrent_modification"} {
		if output, _ := exec.Command(os.Args[0], fault).CombinedOutput(); len(output) > 0 {
			report(fault, strings.SplitN(string(output), "\n", 2)[0])
		}
	}
	var zqxPointer *zqxStruct
	var zqxMap map[string]int
	zqxSlice := []int{1, 2}
	zqxZero := len(os.Args) - len(os.Args)
	catch("null_reference", func() error { return fmt.Errorf("%d", zqxPointer.zqxfield) })
	catch("null_reference_map", func() error { zqxMap["zqxkey"] = 1; return nil })
	catch("index_out_of_range", func() error { return fmt.Errorf("%d", zqxSlice[len(os.Args)+6]) })
	catch("division_by_zero", func() error { return fmt.Errorf("%d", 1/zqxZero) })
	catch("number_parse", func() error { _, err := strconv.Atoi("12,5zqx"); return err })
	catch("date_parse", func() error { _, err := time.Parse("2006-01-02", "31.06.2024"); return err })
	catch("type_cast", func() error { var zqx any = "x"; return fmt.Errorf("%d", zqx.(int)) })
	catch("file_not_found", func() error { _, err := os.Open("/zqx/missing.conf"); return err })
	catch("permission_denied", func() error { return os.WriteFile(os.Getenv("ZQX_LOCKED_DIR")+"/zqx.conf", []byte("x"), 0o644) })
	catch("connection_refused", func() error { _, err := net.Dial("tcp", "127.0.0.1:1"); return err })
	catch("dns_failure", func() error { _, err := net.LookupHost("zqx.invalid"); return err })
	catch("json_parse", func() error { var zqx any; return json.Unmarshal([]byte("{zqx"), &zqx) })
	catch("json_parse_type", func() error { var zqx struct{ Zqx int }; return json.Unmarshal([]byte(`{"Zqx":"zqx"}`), &zqx) })
	// Servers that read the request and reset the connection (ZQX_RESET_PORT) or close it without
	// an answer (ZQX_CLOSED_PORT), started by the generator.
	catch("connection_reset", func() error { _, err := http.Get("http://127.0.0.1:" + os.Getenv("ZQX_RESET_PORT") + "/zqx"); return err })
	catch("connection_closed", func() error { _, err := http.Get("http://127.0.0.1:" + os.Getenv("ZQX_CLOSED_PORT") + "/zqx"); return err })
	// Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
	catch("connection_closed_write", func() error {
		zqx, err := net.Dial("tcp", "127.0.0.1:"+os.Getenv("ZQX_CLOSED_PORT"))
		if err != nil {
			return err
		}
		defer zqx.Close()
		for i := 0; i < 50; i++ {
			if _, err := zqx.Write([]byte("zqx\n")); err != nil {
				return err
			}
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	})
	// A server that accepts and never answers: ZQX_SILENT_PORT, started by the generator.
	silent := "http://127.0.0.1:" + os.Getenv("ZQX_SILENT_PORT") + "/zqx"
	// ZQX_TLS_PORT: a TLS server for localhost whose certificate no one trusts, started by the generator.
	catch("certificate_untrusted", func() error { _, err := http.Get("https://localhost:" + os.Getenv("ZQX_TLS_PORT") + "/zqx"); return err })
	catch("request_timeout", func() error { _, err := (&http.Client{Timeout: 500 * time.Millisecond}).Get(silent); return err })
	catch("request_timeout_context", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		request, _ := http.NewRequestWithContext(ctx, "GET", silent, nil)
		_, err := http.DefaultClient.Do(request)
		return err
	})
	// A read past its deadline on a connection that never answers: how Go's net package reports a
	// timeout (`read tcp a->b: i/o timeout`), under every client built on it.
	catch("request_timeout_deadline", func() error {
		conn, err := net.Dial("tcp", "127.0.0.1:"+os.Getenv("ZQX_SILENT_PORT"))
		if err != nil {
			return err
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		_, err = conn.Read(make([]byte, 1))
		return err
	})
	// A request whose context was canceled (the caller went away): Go's word for a canceled operation.
	catch("operation_canceled", func() error {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		request, _ := http.NewRequestWithContext(ctx, "GET", silent, nil)
		_, err := http.DefaultClient.Do(request)
		return err
	})
	catch("xml_parse", func() error { var zqx struct{}; return xml.NewDecoder(strings.NewReader("<a>zqx")).Decode(&zqx) })
	catch("json_parse_empty", func() error { var zqx any; return json.Unmarshal([]byte(""), &zqx) })
}
