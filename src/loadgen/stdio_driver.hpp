// A load generator for MCP servers that speak stdio (newline-delimited JSON-RPC): spawns the
// server, initializes a session, then sends tools/call requests as pipelined lines on the
// server's stdin, keeping a fixed number in flight (closed loop: each response read lets one
// more request go), and records each request's latency from just before its line is written to
// the moment its response line is read.
//
// One thread does everything (non-blocking pipes, poll): no lock or wake-up between the reader
// and the writer, so the driver's own cost per request is a scan of the response line and a
// share of one write(2) and one read(2). RunEchoResponder is the trivial server that measures
// that cost alone.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::loadgen {

// What ScanResponse found in one JSON-RPC line.
struct ResponseInfo {
  // The top-level "id" when it is a non-negative integer; nullopt for notifications and for
  // string or null ids.
  std::optional<uint64_t> id;
  // A top-level "error" member (a JSON-RPC error response).
  bool rpc_error = false;
  // "result": {"isError": true, ...} (a tool that ran and reported failure).
  bool tool_error = false;
};

// Finds the members above in one line of JSON without building a document: a single pass that
// tracks nesting and skips strings, so members may come in any order and nested objects with
// their own "id" or "error" keys are ignored. Does not validate: on malformed input it reports
// what it found before the malformation (typically no id).
ResponseInfo ScanResponse(std::string_view line);

// A tools/call request with everything but its id rendered once.
class RequestTemplate {
 public:
  // `arguments_json` must be a JSON object. kInvalidArgument otherwise, or for an empty name.
  static Result<RequestTemplate> Make(std::string_view tool, std::string_view arguments_json);
  // Reads {"name": "<tool>", "arguments": {...}} from a file. kIo when it cannot be read,
  // kParseError / kInvalidArgument when it is not that shape.
  static Result<RequestTemplate> FromFile(const std::string& path);

  // Appends the request line, ending in '\n', with `id`.
  void AppendLine(uint64_t id, std::string& out) const;
  const std::string& tool() const { return tool_; }

 private:
  std::string tool_;
  std::string prefix_;  // {"jsonrpc":"2.0","id":
  std::string suffix_;  // ,"method":"tools/call","params":{...}}\n
};

struct BenchOptions {
  // argv of the server; command[0] is looked up on PATH.
  std::vector<std::string> command;
  // Where the server's stderr goes: a file path (appended to), or "inherit".
  std::string child_stderr = "/dev/null";
  // protocolVersion sent in initialize.
  std::string protocol_version = "2025-06-18";
  // Requests measured, after `warmup` requests that are sent the same way but not recorded.
  uint64_t requests = 10000;
  uint64_t warmup = 0;
  // Requests in flight at once (>= 1).
  int in_flight = 1;
  // Bound on the whole run, spawn to last response. When it passes, the run stops and the
  // report says so (timed_out); what was measured until then is kept.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  // Time the server gets to exit after its stdin is closed, before SIGTERM (then SIGKILL).
  std::chrono::milliseconds exit_grace{std::chrono::seconds(3)};
  // Label for the progress line on stderr; empty = no progress line.
  std::string progress_label;
  // The first measured response line is kept (up to this many bytes) for a sanity check.
  size_t keep_first_response_bytes = 2000;
};

struct BenchReport {
  uint64_t sent = 0;         // measured requests written
  uint64_t responses = 0;    // measured responses read
  uint64_t rpc_errors = 0;   // responses with a JSON-RPC error
  uint64_t tool_errors = 0;  // results with isError: true
  uint64_t unmatched = 0;    // lines with an id that was not in flight (duplicates, strays)
  bool timed_out = false;
  double seconds = 0;  // first measured request written to last measured response read
  telemetry::HistogramSnapshot latency_ns;
  std::string first_response;       // first measured response line, maybe truncated
  size_t first_response_bytes = 0;  // its whole length
  std::string child_exit;           // "exit 0", "signal 15", ...

  double RequestsPerSecond() const { return seconds > 0 ? responses / seconds : 0.0; }
  // Requests that did not get a successful answer: errors of both kinds plus missing answers.
  uint64_t Failures() const { return rpc_errors + tool_errors + (sent - responses); }
};

// Runs the benchmark. kInvalidArgument for options out of range (empty command, in_flight < 1,
// requests == 0); kConnection when the server cannot be started or does not answer initialize
// (with an error or before the timeout); kIo when its pipes fail. Once initialized, server-side
// failures are counted in the report, not returned as errors.
// REQUIRES: SIGPIPE is ignored by the process (a server that exits early must not kill us).
Result<BenchReport> RunStdioBench(const RequestTemplate& request, const BenchOptions& options);

// "label: 12,345 req/s  p50 81 us  p90 95 us  p99 140 us  max 1.2 ms  errors 0 (10000 requests
// in 0.81 s)"
std::string FormatText(std::string_view label, int in_flight, const BenchReport& report);
// One JSON object on one line: label, in_flight, requests, responses, failures, rpc_errors,
// tool_errors, unmatched, timed_out, seconds, rps, mean/p50/p90/p99/max in microseconds,
// response_bytes (of the first measured response) and child_exit.
std::string FormatJson(std::string_view label, int in_flight, const BenchReport& report);

// The trivial server: reads newline-delimited JSON-RPC from `in_fd` and answers every line that
// has an id, at once, with {"jsonrpc":"2.0","id":<id>,"result":{"content":[{"type":"text",
// "text":"ok..."}],"isError":false}} (the text padded with `pad_bytes` characters so the
// driver's scan sees a response of realistic size). Lines without an id get nothing. Returns at
// end of input; kIo when reading or writing fails.
Status RunEchoResponder(int in_fd, int out_fd, size_t pad_bytes);

}  // namespace fastbreak::loadgen
