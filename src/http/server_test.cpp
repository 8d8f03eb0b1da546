#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/health.hpp"
#include "http/test_client.hpp"
#include "testing/testing.hpp"

namespace fastbreak::http {
namespace {

using boost::beast::http::verb;
using testing::HttpResponse;
using testing::MetricValue;
using testing::TestClient;

constexpr size_t kBodyLimit = 1024;
constexpr auto kWaitLimit = std::chrono::seconds(10);  // bounds every wait of a test

// The requests an asynchronous route received, with their writers: the test takes them and
// plays the worker pool, answering from its own thread.
class PendingRequests {
 public:
  struct Pending {
    std::string body;
    std::shared_ptr<ResponseWriter> writer;
  };
  void Push(std::string body, std::shared_ptr<ResponseWriter> writer) {
    {
      std::lock_guard lock(mutex_);
      pending_.push_back({std::move(body), std::move(writer)});
    }
    ready_.notify_all();
  }
  // The oldest request; fails the test (empty writer) if none arrives in time.
  Pending Take() {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, kWaitLimit, [this] { return !pending_.empty(); })) {
      ADD_FAILURE() << "no asynchronous request arrived";
      return {};
    }
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    return next;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Pending> pending_;
};

// A promise that a callback may fulfil more than once (only the first counts) and that the test
// waits on with a bound.
class Signal {
 public:
  void Notify() {
    if (!notified_.exchange(true)) promise_.set_value();
  }
  bool WaitFor(std::chrono::milliseconds timeout = kWaitLimit) {
    return future_.wait_for(timeout) == std::future_status::ready;
  }
  bool notified() const { return notified_.load(); }

 private:
  std::atomic<bool> notified_{false};
  std::promise<void> promise_;
  std::future<void> future_ = promise_.get_future();
};

Response TextResponse(std::string body) {
  Response response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

// A server on port 0 with /healthz, /metrics, POST /echo (body and X-Test header back) and
// GET /slow (blocks until the test opens slow_gate_). Stopped in TearDown.
class HttpServerTest : public ::testing::Test {
 protected:
  static ServerOptions TestOptions() {
    ServerOptions options;
    options.port = 0;
    options.io_threads = 4;
    options.body_limit_bytes = kBodyLimit;
    return options;
  }

  void StartServer(ServerOptions options = TestOptions()) {
    Router router;
    AddHealthAndMetricsRoutes(router, registry_, [this]() -> Status {
      if (healthy_.load()) return Ok();
      return MakeError(ErrorCode::kConnection, "database unreachable");
    });
    router.Add("POST", "/echo", [](const Request& request) {
      Response response;
      response.content_type = "text/plain";
      response.body = std::string(request.body);
      response.headers.emplace_back("X-Test", std::string(request.Header("x-test")));
      response.headers.emplace_back("X-Query", std::string(request.query));
      return response;
    });
    router.Add("GET", "/status", [](const Request& request) {
      Response response;
      response.status = std::stoi(std::string(request.query));
      response.body = "dropped for 204";
      return response;
    });
    router.Add("GET", "/slow", [this](const Request&) {
      slow_entered_.set_value();
      slow_gate_.get_future().wait();
      Response response;
      response.body = R"({"slow":true})";
      return response;
    });
    // Answered by the test through pending_.
    router.AddAsync("POST", "/async", [this](const Request& request, auto writer) {
      pending_.Push(std::string(request.body), std::move(writer));
    });
    router.AddAsync("GET", "/sse",
                    [this](const Request&, auto writer) { pending_.Push("", std::move(writer)); });
    // Echoes the body from a worker thread after a short delay.
    router.AddAsync("POST", "/async/echo", [this](const Request& request, auto writer) {
      std::lock_guard lock(workers_mutex_);
      workers_.emplace_back([body = std::string(request.body), writer = std::move(writer)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_TRUE(writer->Respond(TextResponse(body)));
      });
    });
    router.AddAsync("GET", "/async/throw",
                    [](const Request&, auto) { throw std::runtime_error("handler failed"); });
    auto server = Server::Start(std::move(options), std::move(router), registry_);
    ASSERT_OK(server);
    server_ = std::move(*server);
  }

  void SetUp() override { StartServer(); }
  void TearDown() override {
    if (server_) server_->Stop();
    std::lock_guard lock(workers_mutex_);
    for (std::thread& worker : workers_) worker.join();
  }

  // Restarts the server with `adjust` applied to the test options.
  template <typename Adjust>
  void RestartServer(Adjust adjust) {
    server_->Stop();
    ServerOptions options = TestOptions();
    adjust(options);
    StartServer(options);
  }

  std::string Metrics() { return TestClient(server_->port()).Get("/metrics").body(); }

  telemetry::MetricsRegistry registry_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> healthy_{true};
  std::promise<void> slow_entered_;
  std::promise<void> slow_gate_;
  PendingRequests pending_;
  std::mutex workers_mutex_;
  std::vector<std::thread> workers_;  // guarded by workers_mutex_; joined in TearDown
};

TEST_F(HttpServerTest, HealthzOk) {
  const HttpResponse response = TestClient(server_->port()).Get("/healthz");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), R"({"status":"ok"})");
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/json");
}

TEST_F(HttpServerTest, HealthzUnavailableWhenCheckFails) {
  healthy_ = false;
  const HttpResponse response = TestClient(server_->port()).Get("/healthz");
  EXPECT_EQ(response.result_int(), 503);
  EXPECT_EQ(response.body(),
            R"({"status":"unavailable","reason":"connection: database unreachable"})");
}

TEST_F(HttpServerTest, MetricsCountEarlierRequestsByRoutePattern) {
  TestClient client(server_->port());
  EXPECT_EQ(client.Get("/healthz").result_int(), 200);
  EXPECT_EQ(client.Get("/healthz?verbose=1").result_int(), 200);
  EXPECT_EQ(client.Get("/no/such/path").result_int(), 404);

  const HttpResponse response = client.Get("/metrics");
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[boost::beast::http::field::content_type].substr(0, 25),
            "text/plain; version=0.0.4");
  const std::string text = response.body();
  EXPECT_EQ(MetricValue(text, "fastbreak_http_requests_total",
                        {{"route", "/healthz"}, {"status", "200"}}),
            2.0)
      << text;
  EXPECT_EQ(MetricValue(text, "fastbreak_http_requests_total",
                        {{"route", "unmatched"}, {"status", "404"}}),
            1.0);
  EXPECT_EQ(
      MetricValue(text, "fastbreak_http_request_duration_seconds_count", {{"route", "/healthz"}}),
      2.0);
  EXPECT_GE(MetricValue(text, "fastbreak_http_connections_open", {}).value_or(0), 1.0);
  // The raw path never becomes a label value.
  EXPECT_EQ(text.find("/no/such/path"), std::string::npos);
}

TEST_F(HttpServerTest, UnknownPathIsJson404) {
  const HttpResponse response = TestClient(server_->port()).Get("/nope");
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_EQ(response.body(), R"({"error":{"code":"not_found","message":"no route for /nope"}})");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  const HttpResponse response = TestClient(server_->port()).Send(verb::post, "/healthz", "{}");
  EXPECT_EQ(response.result_int(), 405);
  EXPECT_EQ(response[boost::beast::http::field::allow], "GET");
}

TEST_F(HttpServerTest, BodyOverLimitIs413AndServerKeepsServing) {
  TestClient client(server_->port());
  const HttpResponse response = client.Send(verb::post, "/echo", std::string(kBodyLimit + 1, 'x'));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_NE(response.body().find(R"("code":"payload_too_large")"), std::string::npos);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(TestClient(server_->port()).Send(verb::post, "/echo", "ok").body(), "ok");
  EXPECT_EQ(MetricValue(Metrics(), "fastbreak_http_requests_total",
                        {{"route", "/echo"}, {"status", "413"}}),
            1.0);
}

TEST_F(HttpServerTest, EchoesBodyHeadersAndQuery) {
  const HttpResponse response =
      TestClient(server_->port())
          .Send(verb::post, "/echo?a=1&b=2", std::string(kBodyLimit, 'y'), {{"X-Test", "hello"}});
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), std::string(kBodyLimit, 'y'));
  EXPECT_EQ(response["X-Test"], "hello");
  EXPECT_EQ(response["X-Query"], "a=1&b=2");
}

TEST_F(HttpServerTest, HandlerStatusIsCheckedAndFramed) {
  TestClient client(server_->port());
  const HttpResponse no_content = client.Get("/status?204");
  EXPECT_EQ(no_content.result_int(), 204);
  EXPECT_EQ(no_content.body(), "");
  EXPECT_EQ(client.Get("/status?99").result_int(), 500);
  EXPECT_EQ(client.Get("/status?600").result_int(), 500);
  EXPECT_EQ(client.Get("/status?418").result_int(), 418);
}

TEST_F(HttpServerTest, GarbageGets400AndServerKeepsServing) {
  const std::string reply = testing::RawExchange(server_->port(), "\x01\x02 garbage\r\n\r\n");
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 400") << reply;
  EXPECT_NE(reply.find(R"("code":"invalid_request")"), std::string::npos) << reply;
  const std::string bad_header =
      testing::RawExchange(server_->port(), "GET / HTTP/1.1\r\nNo colon here\r\n\r\n");
  EXPECT_EQ(bad_header.substr(0, 12), "HTTP/1.1 400") << bad_header;
  EXPECT_EQ(TestClient(server_->port()).Get("/healthz").result_int(), 200);
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  const std::string request =
      "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(32 * 1024, 'a') + "\r\n\r\n";
  const std::string reply = testing::RawExchange(server_->port(), request);
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 431") << reply.substr(0, 200);
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  TestClient client(server_->port());
  for (int i = 0; i < 20; ++i) {
    const HttpResponse response = client.Send(verb::post, "/echo", std::to_string(i));
    ASSERT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), std::to_string(i));
    EXPECT_TRUE(response.keep_alive());
  }
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  TestClient client(server_->port());
  client.WriteRaw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nthree");
  EXPECT_EQ(client.Read().body(), "one");
  EXPECT_EQ(client.Read().result_int(), 404);
  EXPECT_EQ(client.Read().body(), "three");
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  TestClient client(server_->port());
  client.WriteRaw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  const HttpResponse interim = client.Read();
  EXPECT_EQ(interim.result_int(), 100);
  client.WriteRaw("hello");
  EXPECT_EQ(client.Read().body(), "hello");
}

TEST_F(HttpServerTest, ConcurrentClientsAllSucceed) {
  constexpr int kThreads = 8;
  constexpr int kRequests = 50;
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        TestClient client(server_->port());
        for (int i = 0; i < kRequests; ++i) {
          const std::string body = std::to_string(t) + ":" + std::to_string(i);
          // Every tenth request on a fresh connection, the rest kept alive.
          const HttpResponse response =
              i % 10 == 0 ? TestClient(server_->port()).Send(verb::post, "/echo", body)
                          : client.Send(verb::post, "/echo", body);
          (response.result_int() == 200 && response.body() == body ? ok : failed)++;
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "client " << t << ": " << e.what();
        failed++;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(MetricValue(Metrics(), "fastbreak_http_requests_total",
                        {{"route", "/echo"}, {"status", "200"}}),
            double{kThreads * kRequests});
}

TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnectionPromptly) {
  TestClient client(server_->port());
  ASSERT_EQ(client.Get("/healthz").result_int(), 200);  // idle keep-alive from here on

  std::thread waiter([this] { server_->Wait(); });
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  waiter.join();
  // Far below both the 60 s keep-alive timeout and the 5 s shutdown grace.
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  bool closed = false;
  client.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, StopLetsInFlightRequestFinish) {
  auto response = std::async(std::launch::async, [port = server_->port()] {
    TestClient client(port);
    const HttpResponse first = client.Get("/slow");
    bool closed = false;
    client.ReadUntilClosed(&closed);
    return std::make_pair(first, closed);
  });
  slow_entered_.get_future().wait();  // the handler is running now
  std::thread stopper([this] { server_->Stop(); });
  slow_gate_.set_value();
  stopper.join();
  const auto [first, closed] = response.get();
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), R"({"slow":true})");
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, StopGivesUpOnAStuckRequestAfterTheGrace) {
  server_->Stop();
  ServerOptions options = TestOptions();
  options.shutdown_grace_ms = 100;  // the 30 s request timeout would be far longer
  StartServer(options);

  TestClient stuck(server_->port());
  stuck.WriteRaw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ(stuck.Read().result_int(), 100);  // the server is now reading the body
  stuck.WriteRaw("abc");                      // ... which never completes
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(100));  // it did wait for the request
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST_F(HttpServerTest, SlowClientIsCutOffByRequestTimeout) {
  server_->Stop();
  ServerOptions options = TestOptions();
  options.request_timeout_ms = 200;
  options.keep_alive_timeout_ms = 200;
  StartServer(options);

  TestClient partial(server_->port());
  partial.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
  bool closed = false;
  partial.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);

  TestClient idle(server_->port());
  ASSERT_EQ(idle.Get("/healthz").result_int(), 200);
  idle.ReadUntilClosed(&closed);  // idle past the keep-alive timeout
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, ConnectionsOverLimitAreClosedAtAccept) {
  server_->Stop();
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  StartServer(options);

  TestClient first(server_->port());
  ASSERT_EQ(first.Get("/healthz").result_int(), 200);  // registered by now
  TestClient second(server_->port());
  bool closed = false;
  second.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(first.Get("/healthz").result_int(), 200);
  EXPECT_EQ(
      MetricValue(first.Get("/metrics").body(), "fastbreak_http_connections_rejected_total", {}),
      1.0);
}

// --- Asynchronous answers ---

TEST_F(HttpServerTest, AsyncResponseFromWorkerThreadKeepsConnectionAlive) {
  TestClient client(server_->port());
  for (int i = 0; i < 3; ++i) {
    const HttpResponse response =
        client.Send(verb::post, "/async/echo", "hello " + std::to_string(i));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), "hello " + std::to_string(i));
    EXPECT_EQ(response[boost::beast::http::field::content_type], "text/plain");
    EXPECT_TRUE(response.keep_alive());
  }
  EXPECT_EQ(client.Get("/healthz").result_int(), 200);  // a sync request on the same connection
  const std::string metrics = client.Get("/metrics").body();
  EXPECT_EQ(MetricValue(metrics, "fastbreak_http_requests_total",
                        {{"route", "/async/echo"}, {"status", "200"}}),
            3.0);
  EXPECT_EQ(MetricValue(metrics, "fastbreak_http_request_duration_seconds_count",
                        {{"route", "/async/echo"}}),
            3.0);
}

TEST_F(HttpServerTest, OnlyTheFirstAnswerCounts) {
  TestClient client(server_->port());
  auto reply =
      std::async(std::launch::async, [&client] { return client.Send(verb::post, "/async", "x"); });
  auto [body, writer] = pending_.Take();
  ASSERT_TRUE(writer);
  EXPECT_EQ(body, "x");
  EXPECT_FALSE(writer->closed());
  EXPECT_TRUE(writer->Respond(TextResponse("first")));
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Respond(TextResponse("second")));
  EXPECT_FALSE(writer->StartStream(200, "text/event-stream"));
  EXPECT_FALSE(writer->Write("data"));
  EXPECT_EQ(reply.get().body(), "first");
  EXPECT_EQ(client.Send(verb::post, "/echo", "next").body(), "next");
}

TEST_F(HttpServerTest, DroppedWriterIs500AndConnectionStaysUsable) {
  TestClient client(server_->port());
  auto reply =
      std::async(std::launch::async, [&client] { return client.Send(verb::post, "/async", "x"); });
  pending_.Take().writer.reset();  // the worker lost the request
  const HttpResponse response = reply.get();
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_NE(response.body().find(R"("code":"internal")"), std::string::npos) << response.body();
  EXPECT_TRUE(response.keep_alive());
  EXPECT_EQ(client.Send(verb::post, "/echo", "next").body(), "next");
}

TEST_F(HttpServerTest, ThrowingAsyncHandlerIs500) {
  TestClient client(server_->port());
  const HttpResponse response = client.Get("/async/throw");
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_EQ(response.body(), R"({"error":{"code":"internal","message":"internal error"}})");
  EXPECT_EQ(client.Get("/healthz").result_int(), 200);
}

TEST_F(HttpServerTest, UnansweredAsyncRequestTimesOutAndLateAnswerIsRefused) {
  RestartServer([](ServerOptions& options) { options.request_timeout_ms = 200; });
  TestClient client(server_->port());
  auto reply =
      std::async(std::launch::async, [&client] { return client.Send(verb::post, "/async", "x"); });
  auto pending = pending_.Take();
  ASSERT_TRUE(pending.writer);
  Signal closed;
  pending.writer->OnClose([&closed] { closed.Notify(); });
  const HttpResponse response = reply.get();  // no answer: the server's 504 after 200 ms
  EXPECT_EQ(response.result_int(), 504);
  EXPECT_EQ(response.body(),
            R"({"error":{"code":"timeout","message":"no response within 200 ms"}})");
  EXPECT_TRUE(closed.WaitFor());
  EXPECT_TRUE(pending.writer->closed());
  EXPECT_FALSE(pending.writer->Respond(TextResponse("late")));
  // The late answer is not sent: the next response on the connection is the next request's.
  EXPECT_EQ(client.Send(verb::post, "/echo", "next").body(), "next");
  EXPECT_EQ(MetricValue(Metrics(), "fastbreak_http_requests_total",
                        {{"route", "/async"}, {"status", "504"}}),
            1.0);
}

TEST_F(HttpServerTest, PipelinedRequestWaitsForTheAsyncAnswer) {
  TestClient client(server_->port());
  client.WriteRaw(
      "POST /async HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond");
  auto pending = pending_.Take();
  ASSERT_TRUE(pending.writer);
  EXPECT_TRUE(pending.writer->Respond(TextResponse(pending.body)));
  EXPECT_EQ(client.Read().body(), "first");
  EXPECT_EQ(client.Read().body(), "second");
}

TEST_F(HttpServerTest, WriterOutlivingTheServerRefusesEverything) {
  RestartServer([](ServerOptions& options) { options.shutdown_grace_ms = 100; });
  TestClient client(server_->port());
  client.WriteRaw("POST /async HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
  auto pending = pending_.Take();
  ASSERT_TRUE(pending.writer);
  Signal closed;
  pending.writer->OnClose([&closed] { closed.Notify(); });
  server_->Stop();  // the request is abandoned after the grace
  EXPECT_TRUE(closed.notified());
  server_.reset();
  EXPECT_TRUE(pending.writer->closed());
  EXPECT_FALSE(pending.writer->Respond(TextResponse("too late")));
  Signal after;
  pending.writer->OnClose([&after] { after.Notify(); });  // already closed: runs at once
  EXPECT_TRUE(after.notified());
}

// --- Streamed responses ---

constexpr std::string_view kEventRequest = "GET /sse HTTP/1.1\r\nHost: x\r\n\r\n";

std::string Event(int i) { return "event: message\ndata: {\"n\":" + std::to_string(i) + "}\n\n"; }

TEST_F(HttpServerTest, StreamDeliversEventsAsWrittenThenKeepsConnectionAlive) {
  TestClient client(server_->port());
  client.WriteRaw(kEventRequest);
  auto writer = pending_.Take().writer;
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->StartStream(200, "text/event-stream", {{"Cache-Control", "no-cache"}}));
  EXPECT_FALSE(writer->Respond(TextResponse("no")));
  const HttpResponse header = client.ReadStreamHeader();
  EXPECT_EQ(header.result_int(), 200);
  EXPECT_EQ(header[boost::beast::http::field::content_type], "text/event-stream");
  EXPECT_EQ(header[boost::beast::http::field::cache_control], "no-cache");
  EXPECT_TRUE(header.chunked());
  EXPECT_EQ(MetricValue(Metrics(), "fastbreak_http_streams_open", {}), 1.0);

  ASSERT_TRUE(writer->Write(Event(1)));
  EXPECT_EQ(client.ReadStreamSome(), Event(1));  // arrives before the stream ends
  ASSERT_TRUE(writer->Write(Event(2)));
  ASSERT_TRUE(writer->Write(""));  // ignored
  ASSERT_TRUE(writer->Write(Event(3)));
  std::string received;
  while (received.size() < Event(2).size() + Event(3).size()) received += client.ReadStreamSome();
  EXPECT_EQ(received, Event(2) + Event(3));
  EXPECT_FALSE(writer->closed());
  writer->End();
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write(Event(4)));
  EXPECT_EQ(client.ReadStreamSome(), "");  // the terminating chunk

  EXPECT_EQ(client.Send(verb::post, "/echo", "after").body(), "after");
  const std::string metrics = client.Get("/metrics").body();
  EXPECT_EQ(MetricValue(metrics, "fastbreak_http_streams_open", {}), 0.0);
  EXPECT_EQ(
      MetricValue(metrics, "fastbreak_http_requests_total", {{"route", "/sse"}, {"status", "200"}}),
      1.0);
}

TEST_F(HttpServerTest, StreamWrittenFromAnotherThreadArrivesInOrder) {
  constexpr int kEvents = 200;
  TestClient client(server_->port());
  auto reply = std::async(std::launch::async, [&client] { return client.Get("/sse"); });
  auto writer = pending_.Take().writer;
  ASSERT_TRUE(writer);
  std::thread worker([writer] {
    ASSERT_TRUE(writer->StartStream(200, "text/event-stream"));
    for (int i = 0; i < kEvents; ++i) ASSERT_TRUE(writer->Write(Event(i)));
    writer->End();
  });
  worker.join();
  std::string expected;
  for (int i = 0; i < kEvents; ++i) expected += Event(i);
  const HttpResponse response = reply.get();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), expected);
  EXPECT_EQ(client.Get("/healthz").result_int(), 200);
}

TEST_F(HttpServerTest, ClientDisconnectMidStreamRunsOnClose) {
  TestClient client(server_->port());
  client.WriteRaw(kEventRequest);
  auto writer = pending_.Take().writer;
  ASSERT_TRUE(writer);
  Signal closed;
  writer->OnClose([&closed] { closed.Notify(); });
  ASSERT_TRUE(writer->StartStream(200, "text/event-stream"));
  ASSERT_TRUE(writer->Write(Event(1)));
  client.ReadStreamHeader();
  EXPECT_EQ(client.ReadStreamSome(), Event(1));
  client.Close();
  ASSERT_TRUE(closed.WaitFor());  // noticed while no write was pending
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write(Event(2)));
  writer->End();  // harmless
  EXPECT_EQ(TestClient(server_->port()).Get("/healthz").result_int(), 200);
}

TEST_F(HttpServerTest, StopClosesOpenStreamPromptly) {
  TestClient client(server_->port());
  client.WriteRaw(kEventRequest);
  auto writer = pending_.Take().writer;
  ASSERT_TRUE(writer);
  Signal closed;
  writer->OnClose([&closed] { closed.Notify(); });
  ASSERT_TRUE(writer->StartStream(200, "text/event-stream"));
  ASSERT_TRUE(writer->Write(Event(1)));
  client.ReadStreamHeader();
  EXPECT_EQ(client.ReadStreamSome(), Event(1));

  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));  // grace is 5 s
  EXPECT_TRUE(closed.notified());
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write(Event(2)));
  EXPECT_EQ(client.ReadStreamSome(), "");  // the stream was ended properly
  bool eof = false;
  client.ReadUntilClosed(&eof);
  EXPECT_TRUE(eof);
}

TEST_F(HttpServerTest, Http10StreamIsDelimitedByClose) {
  TestClient client(server_->port());
  client.WriteRaw("GET /sse HTTP/1.0\r\n\r\n");
  auto writer = pending_.Take().writer;
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->StartStream(200, "text/event-stream"));
  ASSERT_TRUE(writer->Write(Event(1)));
  ASSERT_TRUE(writer->Write(Event(2)));
  writer->End();
  bool closed = false;
  const std::string raw = client.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(raw.substr(0, 12), "HTTP/1.0 200") << raw;
  EXPECT_EQ(raw.find("Transfer-Encoding"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("Content-Length"), std::string::npos) << raw;
  const size_t body = raw.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_EQ(raw.substr(body + 4), Event(1) + Event(2));
}

TEST_F(HttpServerTest, SlowConsumerStreamIsClosed) {
  TestClient client(server_->port());
  client.WriteRaw(kEventRequest);
  auto writer = pending_.Take().writer;
  ASSERT_TRUE(writer);
  Signal closed;
  writer->OnClose([&closed] { closed.Notify(); });
  ASSERT_TRUE(writer->StartStream(200, "text/event-stream"));
  // The client reads nothing: the socket buffers fill, then the queue passes its bound.
  const std::string chunk(64 * 1024, 'x');
  bool refused = false;
  for (size_t written = 0; written < 8 * ResponseWriter::kMaxQueuedBytes && !refused;
       written += chunk.size()) {
    refused = !writer->Write(chunk);
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(closed.WaitFor());
  EXPECT_TRUE(writer->closed());
}

TEST_F(HttpServerTest, InvalidStreamStatusIsRefusedAndRequestStaysOpen) {
  TestClient client(server_->port());
  client.WriteRaw(kEventRequest);
  auto writer = pending_.Take().writer;
  ASSERT_TRUE(writer);
  EXPECT_FALSE(writer->StartStream(204, "text/event-stream"));
  EXPECT_FALSE(writer->StartStream(99, "text/event-stream"));
  EXPECT_FALSE(writer->Write("x"));  // no stream started
  EXPECT_TRUE(writer->Respond(TextResponse("plain")));
  EXPECT_EQ(client.Read().body(), "plain");
}

TEST_F(HttpServerTest, PortInUseIsConnectionError) {
  ServerOptions options = TestOptions();
  options.port = server_->port();
  const auto second = Server::Start(options, Router(), registry_);
  EXPECT_ERROR(second, ErrorCode::kConnection);
  EXPECT_NE(second.error().message.find("127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << second.error().message;
}

TEST_F(HttpServerTest, InvalidOptionsAreRejected) {
  ServerOptions options = TestOptions();
  options.port = 70000;
  EXPECT_ERROR(Server::Start(options, Router(), registry_), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fastbreak::http
