-- wrk script: POSTs MCP tools/call requests to /mcp in a session that is already initialized
-- (scripts/bench-mcp.sh initializes it with curl). Each request gets its own JSON-RPC id.
--
-- Environment:
--   MCP_SESSION   the Mcp-Session-Id returned by initialize (required)
--   MCP_TOOL      tool name (required unless MCP_MIX is set)
--   MCP_ARGS      tool arguments, a JSON object (default {})
--   MCP_MIX       a tool mix instead: lines "tool<TAB>arguments", called in turn
--   MCP_PROTOCOL  MCP-Protocol-Version header (default 2025-06-18)
--
-- At the end it prints "mcp failures: N" (non-200 statuses, JSON-RPC errors and results with
-- isError: true, summed over threads); wrk's own summary counts only non-2xx/3xx statuses.

local session = os.getenv("MCP_SESSION")
local tool = os.getenv("MCP_TOOL")
local args = os.getenv("MCP_ARGS") or "{}"
local mix = os.getenv("MCP_MIX")
local protocol = os.getenv("MCP_PROTOCOL") or "2025-06-18"
if session == nil or (tool == nil and mix == nil) then
  error("set MCP_SESSION and MCP_TOOL or MCP_MIX")
end

wrk.method = "POST"
wrk.path = "/mcp"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = session
wrk.headers["MCP-Protocol-Version"] = protocol

local prefix = '{"jsonrpc":"2.0","id":'
local function call_suffix(name, arguments)
  return ',"method":"tools/call","params":{"name":"' .. name .. '","arguments":' .. arguments .. '}}'
end
local suffixes = {}
if mix ~= nil then
  for line in mix:gmatch("[^\n]+") do
    local name, arguments = line:match("^([^\t]+)\t(.*)$")
    if name == nil then error("MCP_MIX line without a tab: " .. line) end
    table.insert(suffixes, call_suffix(name, arguments))
  end
else
  table.insert(suffixes, call_suffix(tool, args))
end

local threads = {}
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("first_id", thread_number * 100000000)
  table.insert(threads, thread)
end

function init(argv)
  next_id = first_id
  failures = 0
end

function request()
  next_id = next_id + 1
  return wrk.format(nil, nil, nil, prefix .. next_id .. suffixes[(next_id % #suffixes) + 1])
end

function response(status, headers, body)
  if status ~= 200 or body:find('"isError":true', 1, true) or body:find('"error":{', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("failures")
  end
  io.write(string.format("mcp failures: %d\n", total))
end
