#include "http/test_client.hpp"

#include <cstdlib>
#include <sstream>

#include "http/detail/asio.hpp"

namespace fastbreak::http::testing {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

TestClient::TestClient(int port) : socket_(io_) {
  socket_.connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
}

HttpResponse TestClient::Send(bhttp::verb method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> request(method, target, 11);
  request.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  bhttp::write(socket_, request);
  return Read();
}

void TestClient::WriteRaw(std::string_view bytes) {
  net::write(socket_, net::buffer(bytes.data(), bytes.size()));
}

HttpResponse TestClient::Read() {
  HttpResponse response;
  bhttp::read(socket_, buffer_, response);
  return response;
}

std::string TestClient::ReadUntilClosed(bool* closed) {
  std::string received(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.clear();
  char chunk[4096];
  for (;;) {
    beast::error_code ec;
    const size_t n = socket_.read_some(net::buffer(chunk), ec);
    received.append(chunk, n);
    if (ec) {
      if (closed != nullptr) {
        *closed = ec == net::error::eof || ec == net::error::connection_reset;
      }
      return received;
    }
  }
}

HttpResponse TestClient::ReadStreamHeader() {
  stream_.emplace();
  stream_->body_limit(boost::none);
  stream_consumed_ = 0;
  bhttp::read_header(socket_, buffer_, *stream_);
  HttpResponse header = stream_->get();
  header.body().clear();
  return header;
}

std::string TestClient::ReadStreamSome() {
  while (!stream_->is_done() && stream_->get().body().size() == stream_consumed_) {
    bhttp::read_some(socket_, buffer_, *stream_);
  }
  std::string piece = stream_->get().body().substr(stream_consumed_);
  stream_consumed_ += piece.size();
  return piece;
}

void TestClient::Close() {
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

std::string RawExchange(int port, std::string_view bytes) {
  TestClient client(port);
  client.WriteRaw(bytes);
  return client.ReadUntilClosed();
}

std::optional<double> MetricValue(std::string_view text, std::string_view name,
                                  const std::vector<std::pair<std::string, std::string>>& labels) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string::npos || std::string_view(line).substr(0, name_end) != name) {
      continue;
    }
    const size_t value_start = line.rfind(' ');
    const std::string series = line.substr(0, value_start);
    bool all = true;
    for (const auto& [key, value] : labels) {
      if (series.find(key + "=\"" + value + "\"") == std::string::npos) all = false;
    }
    if (all) return std::strtod(line.c_str() + value_start + 1, nullptr);
  }
  return std::nullopt;
}

}  // namespace fastbreak::http::testing
