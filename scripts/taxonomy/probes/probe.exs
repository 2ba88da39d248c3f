# Triggers each runtime fault in Elixir and prints the exception's module and message (its lines
# joined), one JSON object per line. Left out: the BEAM grows a process's stack on the heap (no
# stack overflow); sockets return `{:error, :econnrefused}` (errno's names) rather than raising;
# a field of nil and a missing key both raise KeyError (`key :x not found in: nil`), whose
# message left without its key is a bare "not found in", and whose name would stop naming one
# fault across runtimes; `1 + "x"` raises the ArithmeticError of a division by zero.
zero = length(System.argv())

probes = [
  {"index_out_of_range", fn -> elem({1, 2}, zero + 7) end},
  {"index_out_of_range_list", fn -> Enum.fetch!([1, 2], zero + 7) end},
  {"division_by_zero", fn -> 1 / zero end},
  {"number_parse", fn -> String.to_integer("12,5zqx") end},
  {"date_parse", fn -> Date.from_iso8601!("31.06.2024") end},
  {"file_not_found", fn -> File.read!("/zqx/missing.conf") end},
  {"permission_denied", fn -> File.write!(Path.join(System.get_env("ZQX_LOCKED_DIR"), "zqx.conf"), "x") end},
  {"module_missing", fn -> Code.ensure_compiled!(:zqxmodule) end},
  {"encoding_invalid", fn -> String.to_charlist(<<255, "zqx">>) end},
  # ZQX_TLS_PORT: a TLS server for localhost whose certificate no one trusts, started by the
  # generator. :ssl returns the alert (what Erlang's logger prints) rather than raising it.
  {"certificate_untrusted", fn ->
    {:ok, _} = Application.ensure_all_started(:ssl)
    options = [verify: :verify_peer, cacertfile: ~c"/etc/ssl/certs/ca-certificates.crt", server_name_indication: ~c"localhost"]
    case :ssl.connect(~c"localhost", String.to_integer(System.get_env("ZQX_TLS_PORT")), options, 5000) do
      {:error, {:tls_alert, {_, description}}} -> raise to_string(description)
      other -> other
    end
  end}
]

quoted = fn text ->
  escaped =
    text
    |> String.to_charlist()
    |> Enum.map(fn
      c when c in [?", ?\\] -> [?\\, c]
      c when c < 0x20 -> :io_lib.format("\\u~4.16.0b", [c])
      c -> <<c::utf8>>
    end)
  "\"" <> IO.iodata_to_binary(escaped) <> "\""
end

for {fault, probe} <- probes do
  try do
    probe.()
  rescue
    error ->
      type = error.__struct__ |> Module.split() |> List.last()
      message = error |> Exception.message() |> String.split() |> Enum.join(" ")
      IO.puts(~s({"fault": #{quoted.(fault)}, "type": #{quoted.(type)}, "message": #{quoted.(message)}}))
  end
end
