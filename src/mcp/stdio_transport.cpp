#include "mcp/stdio_transport.hpp"

#include <errno.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace fastbreak::mcp {
namespace {

// Serializes writes to the output descriptor and counts messages still being answered.
class StdioWriter {
 public:
  explicit StdioWriter(int fd) : fd_(fd) {}

  // Writes `message` and a newline as one unit. After a write error every later write is
  // dropped and failed() is true.
  void WriteLine(std::string message) {
    message.push_back('\n');
    std::lock_guard lock(write_mutex_);
    if (failed_) return;
    const char* data = message.data();
    size_t left = message.size();
    while (left > 0) {
      const ssize_t written = ::write(fd_, data, left);
      if (written < 0) {
        if (errno == EINTR) continue;
        failed_ = true;
        return;
      }
      data += written;
      left -= static_cast<size_t>(written);
    }
  }
  bool failed() {
    std::lock_guard lock(write_mutex_);
    return failed_;
  }

  void Begin() {
    std::lock_guard lock(count_mutex_);
    ++pending_;
  }
  void End() {
    std::lock_guard lock(count_mutex_);
    if (--pending_ == 0) idle_.notify_all();
  }
  void WaitIdle() {
    std::unique_lock lock(count_mutex_);
    idle_.wait(lock, [this] { return pending_ == 0; });
  }

 private:
  const int fd_;
  std::mutex write_mutex_;
  bool failed_ = false;  // guarded by write_mutex_
  std::mutex count_mutex_;
  std::condition_variable idle_;
  size_t pending_ = 0;  // guarded by count_mutex_
};

class StdioOutbound final : public Outbound {
 public:
  explicit StdioOutbound(std::shared_ptr<StdioWriter> writer) : writer_(std::move(writer)) {
    writer_->Begin();
  }
  void Notify(std::string message) override { writer_->WriteLine(std::move(message)); }
  void Finish(std::optional<std::string> response) override {
    if (response) writer_->WriteLine(std::move(*response));
    writer_->End();
  }

 private:
  std::shared_ptr<StdioWriter> writer_;
};

}  // namespace

Status RunStdio(McpServer& server, int in_fd, int out_fd, const StdioOptions& options) {
  auto writer = std::make_shared<StdioWriter>(out_fd);
  auto session = std::make_shared<Session>("stdio", "stdio");
  session->SetUnsolicitedSink([writer](const std::string& message) {
    writer->WriteLine(message);
    return true;
  });
  std::string line;
  bool skipping = false;  // inside a line that exceeded the limit
  char buffer[64 * 1024];
  Status status = Ok();
  auto dispatch = [&](std::string_view text) {
    // Tolerate CRLF and blank lines between messages.
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) return;
    server.HandleText(session, text, std::make_shared<StdioOutbound>(writer));
  };
  while (true) {
    const ssize_t got = ::read(in_fd, buffer, sizeof(buffer));
    if (got < 0) {
      if (errno == EINTR) continue;
      status = MakeError(ErrorCode::kIo, "reading stdin: {}", std::strerror(errno));
      break;
    }
    if (got == 0) break;
    std::string_view chunk(buffer, static_cast<size_t>(got));
    while (!chunk.empty()) {
      const size_t newline = chunk.find('\n');
      const std::string_view piece = chunk.substr(0, newline);
      if (!skipping) {
        if (line.size() + piece.size() > options.max_message_bytes) {
          skipping = true;
          line.clear();
          line.shrink_to_fit();
          writer->WriteLine(ErrorResponse(
              nullptr, -32700,
              fmt::format("Parse error: message longer than {} bytes", options.max_message_bytes)));
        } else {
          line.append(piece);
        }
      }
      if (newline == std::string_view::npos) break;
      if (!skipping) dispatch(line);
      line.clear();
      skipping = false;
      chunk.remove_prefix(newline + 1);
    }
    if (writer->failed()) break;
  }
  if (status && !skipping && !line.empty()) dispatch(line);  // a last message without newline
  writer->WaitIdle();
  session->SetUnsolicitedSink(nullptr);
  if (status && writer->failed()) {
    return MakeError(ErrorCode::kIo, "writing stdout failed: {}", std::strerror(errno));
  }
  return status;
}

}  // namespace fastbreak::mcp
