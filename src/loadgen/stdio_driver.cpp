#include "loadgen/stdio_driver.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/progress.hpp"

extern char** environ;

namespace fastbreak::loadgen {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

// Index of the quote that closes the string whose contents start at `i`, or s.size().
size_t StringEnd(std::string_view s, size_t i) {
  while (i < s.size()) {
    const void* found = std::memchr(s.data() + i, '"', s.size() - i);
    if (found == nullptr) return s.size();
    const size_t quote = static_cast<size_t>(static_cast<const char*>(found) - s.data());
    size_t backslashes = 0;
    while (quote - backslashes > i && s[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote;
    i = quote + 1;
  }
  return s.size();
}

std::string ErrnoText(int error) { return std::strerror(error); }

// Splits a byte stream into lines. Feed appends what was read; each complete line (without its
// '\n') goes to the callback, and the rest is kept for the next Feed.
class LineSplitter {
 public:
  // Reads once from `fd` into the buffer. Returns bytes read (0 at end of input), or -1 with
  // errno set.
  ssize_t ReadFrom(int fd) {
    constexpr size_t kChunk = 256 * 1024;
    const size_t used = buffer_.size();
    buffer_.resize(used + kChunk);
    const ssize_t n = ::read(fd, buffer_.data() + used, kChunk);
    buffer_.resize(used + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    return n;
  }

  // Calls `on_line` for every complete line in the buffer and drops them from it.
  template <typename OnLine>
  void TakeLines(OnLine&& on_line) {
    size_t start = 0;
    while (start < buffer_.size()) {
      const void* found = std::memchr(buffer_.data() + start, '\n', buffer_.size() - start);
      if (found == nullptr) break;
      const size_t end = static_cast<size_t>(static_cast<const char*>(found) - buffer_.data());
      on_line(std::string_view(buffer_.data() + start, end - start));
      start = end + 1;
    }
    buffer_.erase(0, start);
  }

 private:
  std::string buffer_;
};

// Writes all of `data` to a blocking descriptor.
Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, "write: {}", ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

// The server process and our ends of its stdin and stdout (both non-blocking).
class Child {
 public:
  static Result<std::unique_ptr<Child>> Spawn(const BenchOptions& options) {
    int in_pipe[2];
    int out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
      return MakeError(ErrorCode::kIo, "pipe: {}", ErrnoText(errno));
    }
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
      const int error = errno;
      ::close(in_pipe[0]);
      ::close(in_pipe[1]);
      return MakeError(ErrorCode::kIo, "pipe: {}", ErrnoText(error));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    if (options.child_stderr != "inherit") {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.child_stderr.c_str(),
                                       O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    std::vector<char*> argv;
    for (const auto& arg : options.command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    if (rc != 0) {
      ::close(in_pipe[1]);
      ::close(out_pipe[0]);
      return MakeError(ErrorCode::kConnection, "cannot start {}: {}", options.command[0],
                       ErrnoText(rc));
    }
    auto child = std::unique_ptr<Child>(new Child(pid, in_pipe[1], out_pipe[0]));
    for (int fd : {child->in_, child->out_}) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return child;
  }

  ~Child() {
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Requests bytes to be written to the server's stdin (by Flush and Pump).
  std::string& pending() { return pending_; }

  // Writes as much of the pending bytes as the pipe takes now.
  Status Flush() {
    while (written_ < pending_.size()) {
      const ssize_t n = ::write(in_, pending_.data() + written_, pending_.size() - written_);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return Ok();
        return MakeError(ErrorCode::kIo, "writing to the server: {}", ErrnoText(errno));
      }
      written_ += static_cast<size_t>(n);
    }
    pending_.clear();
    written_ = 0;
    return Ok();
  }

  // Waits up to `timeout_ms` for the server's output (and for room in its input when bytes are
  // pending), reads what is there and hands each complete line to `on_line` with the time it
  // was read, then writes what it can. False once the server closed its output.
  template <typename OnLine>
  Result<bool> Pump(int timeout_ms, OnLine&& on_line) {
    pollfd fds[2] = {{out_, POLLIN, 0}, {in_, POLLOUT, 0}};
    const nfds_t count = written_ < pending_.size() ? 2 : 1;
    const int ready = ::poll(fds, count, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) return true;
      return MakeError(ErrorCode::kIo, "poll: {}", ErrnoText(errno));
    }
    if (fds[0].revents != 0) {
      const ssize_t n = lines_.ReadFrom(out_);
      if (n == 0) return false;
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return MakeError(ErrorCode::kIo, "reading from the server: {}", ErrnoText(errno));
      }
      const int64_t now = NowNs();
      lines_.TakeLines([&](std::string_view line) { on_line(line, now); });
    }
    FB_RETURN_IF_ERROR(Flush());
    return true;
  }

  // Closes the server's stdin, reads and discards its output until it closes it or `grace`
  // passes, then reaps it (SIGTERM, then SIGKILL, when it does not exit in time). Returns
  // "exit N" or "signal N".
  std::string Stop(std::chrono::milliseconds grace) {
    ::close(in_);
    in_ = -1;
    const auto deadline = Clock::now() + grace;
    pending_.clear();
    written_ = 0;
    while (Clock::now() < deadline) {
      auto alive = Pump(50, [](std::string_view, int64_t) {});
      if (!alive || !*alive) break;
    }
    int status = 0;
    for (int signal_number : {0, SIGTERM, SIGKILL}) {
      if (signal_number != 0) ::kill(pid_, signal_number);
      const auto until = Clock::now() + (signal_number == 0 ? grace : std::chrono::seconds(2));
      while (true) {
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
          pid_ = -1;
          if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
          return fmt::format("signal {}", WTERMSIG(status));
        }
        if (done < 0 || Clock::now() >= until) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    return "not reaped";
  }

 private:
  Child(pid_t pid, int in, int out) : pid_(pid), in_(in), out_(out) {}

  pid_t pid_;
  int in_;
  int out_;
  std::string pending_;
  size_t written_ = 0;
  LineSplitter lines_;
};

std::string InitializeLine(const BenchOptions& options) {
  Json message = {{"jsonrpc", "2.0"},
                  {"id", 0},
                  {"method", "initialize"},
                  {"params",
                   {{"protocolVersion", options.protocol_version},
                    {"capabilities", Json::object()},
                    {"clientInfo", {{"name", "mcp_stdio_bench"}, {"version", "1"}}}}}};
  return message.dump() + "\n";
}

int RemainingMs(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 200));
}

// Sends initialize, waits for its answer, then sends notifications/initialized.
Status Handshake(Child& child, const BenchOptions& options, Clock::time_point deadline) {
  child.pending() += InitializeLine(options);
  if (auto flushed = child.Flush(); !flushed) {
    return MakeError(ErrorCode::kConnection, "cannot send initialize: {}", flushed.error().message);
  }
  std::optional<std::string> answer;
  while (!answer) {
    if (Clock::now() >= deadline) {
      return MakeError(ErrorCode::kConnection, "no answer to initialize before the timeout");
    }
    FB_ASSIGN_OR_RETURN(bool alive,
                        child.Pump(RemainingMs(deadline), [&](std::string_view line, int64_t) {
                          if (ScanResponse(line).id == uint64_t{0}) answer = std::string(line);
                        }));
    if (!alive && !answer) {
      return MakeError(ErrorCode::kConnection,
                       "the server closed its output before answering "
                       "initialize");
    }
  }
  if (ScanResponse(*answer).rpc_error) {
    return MakeError(ErrorCode::kConnection, "initialize failed: {}", answer->substr(0, 500));
  }
  child.pending() += R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                     "\n";
  return child.Flush();
}

std::string FormatDuration(double ns) {
  const double us = ns / 1000.0;
  if (us < 10) return fmt::format("{:.1f} us", us);
  if (us < 1000) return fmt::format("{:.0f} us", us);
  if (us < 1e6) return fmt::format("{:.2f} ms", us / 1000.0);
  return fmt::format("{:.2f} s", us / 1e6);
}

std::string WithThousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

ResponseInfo ScanResponse(std::string_view s) {
  ResponseInfo info;
  int depth = 0;
  bool result_next = false;  // the last token was the top-level key "result"
  bool in_result = false;    // the object at depth 2 is the value of "result"
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '{' || c == '[') {
      ++depth;
      if (depth == 2) in_result = result_next && c == '{';
      result_next = false;
      ++i;
    } else if (c == '}' || c == ']') {
      if (--depth <= 0) break;
      ++i;
    } else if (c == ',') {
      result_next = false;
      ++i;
    } else if (c == '"') {
      const size_t end = StringEnd(s, i + 1);
      if (end >= s.size()) break;
      const std::string_view text = s.substr(i + 1, end - i - 1);
      i = SkipSpace(s, end + 1);
      if (i >= s.size() || s[i] != ':') continue;  // a value, not a key
      i = SkipSpace(s, i + 1);
      if (depth == 1) {
        if (text == "id") {
          uint64_t id = 0;
          const auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + s.size(), id);
          if (ec == std::errc() && ptr != s.data() + i) info.id = id;
        } else if (text == "error") {
          info.rpc_error = true;
        } else if (text == "result") {
          result_next = true;
        }
      } else if (depth == 2 && in_result && text == "isError") {
        info.tool_error = s.substr(i, 4) == "true";
      }
    } else {
      ++i;
    }
  }
  return info;
}

Result<RequestTemplate> RequestTemplate::Make(std::string_view tool,
                                              std::string_view arguments_json) {
  if (tool.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty tool name");
  Json arguments = Json::parse(arguments_json, nullptr, /*allow_exceptions=*/false);
  if (!arguments.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "tool arguments must be a JSON object: {}",
                     arguments_json.substr(0, 200));
  }
  RequestTemplate request;
  request.tool_ = std::string(tool);
  request.prefix_ = R"({"jsonrpc":"2.0","id":)";
  request.suffix_ = R"(,"method":"tools/call","params":{"name":)" + Json(tool).dump() +
                    R"(,"arguments":)" + arguments.dump() + "}}\n";
  return request;
}

Result<RequestTemplate> RequestTemplate::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError(ErrorCode::kIo, "cannot read {}", path);
  std::stringstream text;
  text << in.rdbuf();
  Json file = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (file.is_discarded()) return MakeError(ErrorCode::kParseError, "{} is not JSON", path);
  if (!file.is_object() || !file.contains("name") || !file["name"].is_string()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{}: expected {{\"name\": \"<tool>\", \"arguments\": {{...}}}}", path);
  }
  const Json arguments = file.value("arguments", Json::object());
  return Make(file["name"].get<std::string>(), arguments.dump());
}

void RequestTemplate::AppendLine(uint64_t id, std::string& out) const {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), id);
  out += prefix_;
  out.append(digits, static_cast<size_t>(end - digits));
  out += suffix_;
}

Result<BenchReport> RunStdioBench(const RequestTemplate& request, const BenchOptions& options) {
  if (options.command.empty()) return MakeError(ErrorCode::kInvalidArgument, "no server command");
  if (options.in_flight < 1) return MakeError(ErrorCode::kInvalidArgument, "in_flight < 1");
  if (options.requests == 0) return MakeError(ErrorCode::kInvalidArgument, "requests == 0");
  const auto deadline = Clock::now() + options.timeout;

  FB_ASSIGN_OR_RETURN(auto child, Child::Spawn(options));
  if (auto status = Handshake(*child, options, deadline); !status) {
    child->Stop(std::chrono::milliseconds(0));
    return tl::unexpected(status.error());
  }

  const uint64_t warmup = options.warmup;
  const uint64_t total = warmup + options.requests;
  const auto in_flight = static_cast<uint64_t>(options.in_flight);
  std::vector<int64_t> sent_at(total + 1, 0);  // by id; 0 = not in flight
  telemetry::Histogram latency;
  BenchReport report;
  uint64_t next_id = 1;
  uint64_t completed = 0;  // warmup included
  int64_t start_ns = 0;
  int64_t last_ns = 0;

  ProgressBar progress(options.progress_label, static_cast<int64_t>(options.requests), "requests");
  if (options.progress_label.empty()) progress.Silence();

  // Queues requests until `in_flight` are outstanding (or all were sent).
  auto top_up = [&] {
    std::string& out = child->pending();
    while (next_id <= total && next_id - 1 - completed < in_flight) {
      const int64_t now = NowNs();
      if (next_id == warmup + 1) start_ns = now;
      sent_at[next_id] = now;
      request.AppendLine(next_id, out);
      if (next_id > warmup) ++report.sent;
      ++next_id;
    }
  };
  auto on_line = [&](std::string_view line, int64_t now) {
    const ResponseInfo info = ScanResponse(line);
    if (!info.id) return;  // a notification
    const uint64_t id = *info.id;
    if (id == 0 || id > total || sent_at[id] == 0) {
      ++report.unmatched;
      return;
    }
    ++completed;
    if (id > warmup) {
      latency.Record(static_cast<uint64_t>(now - sent_at[id]));
      ++report.responses;
      if (info.rpc_error) ++report.rpc_errors;
      if (info.tool_error) ++report.tool_errors;
      if (report.first_response_bytes == 0) {
        report.first_response = std::string(line.substr(0, options.keep_first_response_bytes));
        report.first_response_bytes = line.size();
      }
      last_ns = now;
    }
    sent_at[id] = 0;
  };

  Status failure = Ok();
  top_up();
  while (completed < total) {
    if (auto flushed = child->Flush(); !flushed) {
      failure = flushed;
      break;
    }
    if (Clock::now() >= deadline) {
      report.timed_out = true;
      break;
    }
    auto alive = child->Pump(RemainingMs(deadline), on_line);
    if (!alive) {
      failure = tl::unexpected(alive.error());
      break;
    }
    top_up();
    progress.Update(static_cast<int64_t>(report.responses));
    if (!*alive) break;  // the server exited; what is missing counts as failures
  }
  progress.Finish();
  if (last_ns > start_ns) report.seconds = static_cast<double>(last_ns - start_ns) / 1e9;
  report.latency_ns = latency.Snapshot();
  report.child_exit = child->Stop(options.exit_grace);
  if (!failure && report.responses == 0) return tl::unexpected(failure.error());
  return report;
}

std::string FormatText(std::string_view label, int in_flight, const BenchReport& report) {
  const auto& h = report.latency_ns;
  return fmt::format(
      "{} (in flight {}): {} req/s  p50 {}  p90 {}  p99 {}  max {}  failures {} ({} requests in "
      "{:.2f} s{}{})",
      label, in_flight, WithThousands(static_cast<uint64_t>(report.RequestsPerSecond() + 0.5)),
      FormatDuration(h.Percentile(50)), FormatDuration(h.Percentile(90)),
      FormatDuration(h.Percentile(99)), FormatDuration(static_cast<double>(h.Max())),
      report.Failures(), WithThousands(report.sent), report.seconds,
      report.timed_out ? ", timed out" : "",
      report.unmatched > 0 ? fmt::format(", {} unmatched", report.unmatched) : "");
}

std::string FormatJson(std::string_view label, int in_flight, const BenchReport& report) {
  const auto& h = report.latency_ns;
  auto us = [](double ns) { return std::round(ns / 10.0) / 100.0; };
  Json out = {{"label", label},
              {"in_flight", in_flight},
              {"requests", report.sent},
              {"responses", report.responses},
              {"failures", report.Failures()},
              {"rpc_errors", report.rpc_errors},
              {"tool_errors", report.tool_errors},
              {"unmatched", report.unmatched},
              {"timed_out", report.timed_out},
              {"seconds", report.seconds},
              {"rps", std::round(report.RequestsPerSecond() * 10.0) / 10.0},
              {"mean_us", us(h.Mean())},
              {"p50_us", us(h.Percentile(50))},
              {"p90_us", us(h.Percentile(90))},
              {"p99_us", us(h.Percentile(99))},
              {"max_us", us(static_cast<double>(h.Max()))},
              {"response_bytes", report.first_response_bytes},
              {"child_exit", report.child_exit}};
  return out.dump();
}

Status RunEchoResponder(int in_fd, int out_fd, size_t pad_bytes) {
  const std::string head = R"({"jsonrpc":"2.0","id":)";
  const std::string tail = R"(,"result":{"content":[{"type":"text","text":"ok)" +
                           std::string(pad_bytes, '.') +
                           R"("}],"isError":false}})"
                           "\n";
  LineSplitter lines;
  std::string out;
  while (true) {
    const ssize_t n = lines.ReadFrom(in_fd);
    if (n == 0) return Ok();
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, "read: {}", ErrnoText(errno));
    }
    out.clear();
    lines.TakeLines([&](std::string_view line) {
      const auto id = ScanResponse(line).id;
      if (!id) return;
      char digits[24];
      const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), *id);
      out += head;
      out.append(digits, static_cast<size_t>(end - digits));
      out += tail;
    });
    FB_RETURN_IF_ERROR(WriteAll(out_fd, out));
  }
}

}  // namespace fastbreak::loadgen
