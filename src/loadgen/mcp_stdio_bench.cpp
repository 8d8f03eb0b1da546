// mcp_stdio_bench: drives an MCP server over stdio with pipelined tools/call requests and
// prints throughput and latency percentiles. See stdio_driver.hpp.
//
//   mcp_stdio_bench --tool run_sql --arguments '{"sql":"SELECT 1"}' --in-flight 32
//       -- fastbreak stdio --db league.db
//   mcp_stdio_bench --echo        # the trivial server, for measuring the driver alone
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "loadgen/stdio_driver.hpp"

namespace fastbreak::loadgen {
namespace {

int Main(int argc, char** argv) {
  CLI::App cli(
      "Load generator for MCP servers over stdio: spawns the server given after --, sends "
      "tools/call requests keeping --in-flight of them outstanding, and reports requests/s and "
      "latency percentiles (request line written -> response line read).",
      "mcp_stdio_bench");
  std::vector<std::string> command;
  std::string tool;
  std::string arguments = "{}";
  std::string request_file;
  std::string label;
  std::string json_path;
  BenchOptions options;
  uint64_t requests = options.requests;
  uint64_t warmup = 200;
  int in_flight = 1;
  double timeout_s = 60;
  bool quiet = false;
  bool print_first = false;
  bool echo = false;
  size_t echo_pad = 0;
  cli.add_option("--tool", tool, "tool name to call");
  cli.add_option("--arguments", arguments, "tool arguments, a JSON object (default {})");
  cli.add_option("--request", request_file,
                 "file holding {\"name\": TOOL, \"arguments\": {...}} (instead of --tool)")
      ->check(CLI::ExistingFile);
  cli.add_option("--requests,-n", requests, "measured requests (default 10000)")
      ->check(CLI::PositiveNumber);
  cli.add_option("--warmup", warmup, "requests sent first and not measured (default 200)");
  cli.add_option("--in-flight,-k", in_flight, "requests outstanding at once (default 1)")
      ->check(CLI::Range(1, 100000));
  cli.add_option("--timeout-s", timeout_s, "bound on the whole run, seconds (default 60)")
      ->check(CLI::PositiveNumber);
  cli.add_option("--label", label, "name of this run in the output (default: the tool name)");
  cli.add_option("--json", json_path, "also append the result as one JSON line to this file");
  cli.add_option("--child-stderr", options.child_stderr,
                 "where the server's stderr goes: a file, or 'inherit' (default /dev/null)");
  cli.add_option("--protocol-version", options.protocol_version,
                 "protocolVersion sent in initialize (default 2025-06-18)");
  cli.add_flag("--quiet,-q", quiet, "no progress line on stderr");
  cli.add_flag("--print-first", print_first,
               "print the first measured response (up to 2000 bytes) on stderr");
  cli.add_flag("--echo", echo,
               "be the trivial server instead: answer every request line on stdin at once");
  cli.add_option("--echo-pad", echo_pad, "with --echo: bytes of padding in each answer's text");
  cli.add_option("command", command, "the server command, after --");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  ::signal(SIGPIPE, SIG_IGN);

  if (echo) {
    auto status = RunEchoResponder(STDIN_FILENO, STDOUT_FILENO, echo_pad);
    if (!status) {
      std::fprintf(stderr, "mcp_stdio_bench --echo: %s\n", status.error().ToString().c_str());
      return 1;
    }
    return 0;
  }
  if (command.empty()) {
    std::fprintf(stderr, "mcp_stdio_bench: give the server command after --\n");
    return 2;
  }
  Result<RequestTemplate> request = request_file.empty() ? RequestTemplate::Make(tool, arguments)
                                                         : RequestTemplate::FromFile(request_file);
  if (!request) {
    std::fprintf(stderr, "mcp_stdio_bench: %s\n", request.error().ToString().c_str());
    return 2;
  }
  if (label.empty()) label = request->tool();
  options.command = command;
  options.requests = requests;
  options.warmup = warmup;
  options.in_flight = in_flight;
  options.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  if (!quiet) options.progress_label = label + " k=" + std::to_string(in_flight);

  auto report = RunStdioBench(*request, options);
  if (!report) {
    std::fprintf(stderr, "mcp_stdio_bench: %s\n", report.error().ToString().c_str());
    return 1;
  }
  if (print_first) std::fprintf(stderr, "first response: %s\n", report->first_response.c_str());
  std::printf("%s\n", FormatText(label, in_flight, *report).c_str());
  if (!json_path.empty()) {
    std::ofstream out(json_path, std::ios::app);
    out << FormatJson(label, in_flight, *report) << "\n";
    if (!out) {
      std::fprintf(stderr, "mcp_stdio_bench: cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  return report->timed_out || report->responses < report->sent ? 1 : 0;
}

}  // namespace
}  // namespace fastbreak::loadgen

int main(int argc, char** argv) { return fastbreak::loadgen::Main(argc, argv); }
