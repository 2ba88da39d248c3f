<?php
// Triggers each runtime fault in PHP and prints what it throws, one JSON object per line.
$probes = [
    "null_reference" => function () { $zqx = null; return $zqx->zqxmethod(); },
    "null_reference_property" => function () { $zqx = null; return $zqx->zqxfield; },
    "null_reference_offset" => function () { $zqx = null; return $zqx["zqxkey"]; },
    "index_out_of_range" => function () { return (new SplFixedArray(2))[7]; },
    "missing_key" => function () { $a = []; return $a["zqxkey"]; },
    "division_by_zero" => function () { return intdiv(1, 0); },
    "date_parse" => function () { return new DateTimeImmutable("31.06.2024 zqx"); },
    "type_cast" => function () { return strlen([]); },
    "file_not_found" => function () { return new SplFileObject("/zqx/missing.conf"); },
    "permission_denied" => function () { return new SplFileObject(getenv("ZQX_LOCKED_DIR") . "/zqx.conf", "w"); },
    "json_parse" => function () { return json_decode("{zqx", false, 512, JSON_THROW_ON_ERROR); },
    "encoding_invalid" => function () { return json_encode("\xffzqx", JSON_THROW_ON_ERROR); },
    // Servers that read the request and reset the connection (ZQX_RESET_PORT) or close it without
    // an answer (ZQX_CLOSED_PORT), started by the generator.
    "connection_reset" => function () { return file_get_contents("http://127.0.0.1:" . getenv("ZQX_RESET_PORT") . "/zqx"); },
    "connection_closed" => function () { return file_get_contents("http://127.0.0.1:" . getenv("ZQX_CLOSED_PORT") . "/zqx"); },
    // Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
    "connection_closed_write" => function () {
        $zqx = stream_socket_client("tcp://127.0.0.1:" . getenv("ZQX_CLOSED_PORT"));
        for ($i = 0; $i < 50; $i++) { fwrite($zqx, "zqx\n"); usleep(50000); }
    },
    "module_missing" => function () { return new \Zqx\Missing(); },
];
// A memory limit reached is a fatal error, which ends the script: a child PHP with a small limit.
if (($argv[1] ?? "") === "out_of_memory") {
    ini_set("memory_limit", "8M");
    register_shutdown_function(function () {
        echo json_encode(["fault" => "out_of_memory", "type" => "", "message" => error_get_last()["message"] ?? ""]), "\n";
    });
    str_repeat("x", 16 << 20);
}
set_error_handler(function ($severity, $message) { throw new ErrorException($message, 0, $severity); });
foreach ($probes as $fault => $probe) {
    try { $probe(); } catch (Throwable $error) {
        echo json_encode(["fault" => $fault, "type" => get_class($error), "message" => $error->getMessage()]), "\n";
    }
}
if (($argv[1] ?? "") !== "out_of_memory") passthru(escapeshellarg(PHP_BINARY) . " " . escapeshellarg(__FILE__) . " out_of_memory 2>/dev/null");
