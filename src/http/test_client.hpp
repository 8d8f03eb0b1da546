// Test-only helpers: a blocking HTTP/1.1 client over one connection, a raw-bytes exchange,
// and a Prometheus text reader. Not thread-safe: one client per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/detail/asio.hpp"

namespace fastbreak::http::testing {

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Errors (refused connection, server closed early) throw boost::system::system_error.
class TestClient {
 public:
  explicit TestClient(int port);

  HttpResponse Send(boost::beast::http::verb method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResponse Get(const std::string& target) {
    return Send(boost::beast::http::verb::get, target);
  }
  // Writes bytes as they are, with no framing.
  void WriteRaw(std::string_view bytes);
  // Reads one response (after WriteRaw).
  HttpResponse Read();
  // Reads until the server closes the connection; returns what arrived before that.
  // Returns true in *closed when the read ended with EOF or a reset.
  std::string ReadUntilClosed(bool* closed = nullptr);

  // Reads a streamed response piece by piece: first its header (the returned response has an
  // empty body), then ReadStreamSome() returns body bytes as they arrive (chunked coding
  // removed), at least one per call, and "" once the response is complete.
  HttpResponse ReadStreamHeader();
  std::string ReadStreamSome();

  // Closes the connection (a client that goes away).
  void Close();

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> stream_;
  size_t stream_consumed_ = 0;  // body bytes of stream_ already returned
};

// Connects, writes `bytes`, half-closes nothing, and returns everything the server sends until
// it closes the connection.
std::string RawExchange(int port, std::string_view bytes);

// The value of the Prometheus series `name` whose labels include every `key="value"` in
// `labels` (any order, others allowed); nullopt when there is no such series.
std::optional<double> MetricValue(std::string_view text, std::string_view name,
                                  const std::vector<std::pair<std::string, std::string>>& labels);

}  // namespace fastbreak::http::testing
