-- Triggers each runtime fault in Lua and prints the error message (without its `file:line: `
-- prefix), one JSON object per line. Lua returns nil for a missing key or index and for a failed
-- number conversion, so those faults raise nothing here.
local zqx = nil
local zqxzero = #arg
local probes = {
  {"null_reference", function() return zqx.zqxfield end},
  {"null_reference_call", function() return zqx() end},
  {"null_reference_arithmetic", function() return zqx + 1 end},
  {"division_by_zero", function() return 1 // zqxzero end},
  {"type_cast", function() return {} + 1 end},
  {"stack_overflow", function() local function zqxdeep() return 1 + zqxdeep() end return zqxdeep() end},
}
local function quoted(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end
for _, probe in ipairs(probes) do
  local ok, message = pcall(probe[2])
  if not ok then
    -- Without the probe's own variable (`(local 'res')`, `(field 'x')`), which every program names its way.
    message = tostring(message):gsub("^[^:\n]+:%d+: ", ""):gsub(" %(%a+ '[^']*'%)$", "")
    print(string.format('{"fault": %s, "type": "error", "message": %s}', quoted(probe[1]), quoted(message)))
  end
end
