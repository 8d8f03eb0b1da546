#include "http/router.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace fastbreak::http {
namespace {

class MapHeaders final : public HeaderMap {
 public:
  explicit MapHeaders(std::map<std::string, std::string> fields) : fields_(std::move(fields)) {}
  std::string_view Get(std::string_view name) const override {
    auto it = fields_.find(std::string(name));
    return it == fields_.end() ? std::string_view() : std::string_view(it->second);
  }

 private:
  std::map<std::string, std::string> fields_;
};

Handler Reply(std::string body) {
  return [body = std::move(body)](const Request&) {
    Response response;
    response.body = body;
    return response;
  };
}

Response Call(const Router& router, std::string_view method, std::string_view path,
              size_t* route = nullptr) {
  Request request;
  request.method = method;
  request.target = path;
  return router.Dispatch(request, route);
}

TEST(RouterTest, ExactPathAndMethod) {
  Router router;
  router.Add("GET", "/healthz", Reply("get"));
  router.Add("POST", "/healthz", Reply("post"));
  EXPECT_EQ(Call(router, "GET", "/healthz").body, "get");
  EXPECT_EQ(Call(router, "POST", "/healthz").body, "post");
  EXPECT_EQ(router.size(), 1u);
  EXPECT_EQ(router.Label(0), "/healthz");
}

TEST(RouterTest, UnknownPathIs404WithJsonError) {
  Router router;
  router.Add("GET", "/healthz", Reply("ok"));
  size_t route = 0;
  const Response response = Call(router, "GET", "/nope", &route);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(route, Router::kNoRoute);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"error":{"code":"not_found","message":"no route for /nope"}})");
}

TEST(RouterTest, WrongMethodIs405WithSortedAllow) {
  Router router;
  router.Add("POST", "/mcp", Reply("post"));
  router.Add("GET", "/mcp", Reply("get"));
  router.Add("DELETE", "/mcp", Reply("delete"));
  size_t route = Router::kNoRoute;
  const Response response = Call(router, "PUT", "/mcp", &route);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(route, 0u);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "DELETE, GET, POST");
}

TEST(RouterTest, PrefixMatchesAtSegmentBoundaries) {
  Router router;
  router.AddPrefix("GET", "/api/", Reply("api"));
  EXPECT_EQ(Call(router, "GET", "/api").body, "api");
  EXPECT_EQ(Call(router, "GET", "/api/").body, "api");
  EXPECT_EQ(Call(router, "GET", "/api/players/2544").body, "api");
  EXPECT_EQ(Call(router, "GET", "/apix").status, 404);
  EXPECT_EQ(router.Label(0), "/api/*");
}

TEST(RouterTest, ExactBeatsPrefixAndLongestPrefixWins) {
  Router router;
  router.AddPrefix("GET", "/", Reply("static"));
  router.AddPrefix("GET", "/api", Reply("api"));
  router.AddPrefix("GET", "/api/mcp/performance", Reply("perf"));
  router.Add("GET", "/api/version", Reply("version"));
  EXPECT_EQ(Call(router, "GET", "/index.html").body, "static");
  EXPECT_EQ(Call(router, "GET", "/").body, "static");
  EXPECT_EQ(Call(router, "GET", "/api/teams").body, "api");
  EXPECT_EQ(Call(router, "GET", "/api/mcp/performance/slow").body, "perf");
  EXPECT_EQ(Call(router, "GET", "/api/version").body, "version");
  EXPECT_EQ(router.Label(0), "/*");
}

TEST(RouterTest, DuplicateOrMalformedRegistrationThrows) {
  Router router;
  router.Add("GET", "/healthz", Reply("ok"));
  EXPECT_THROW(router.Add("GET", "/healthz", Reply("again")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "healthz", Reply("x")), std::invalid_argument);
  EXPECT_THROW(router.Add("", "/x", Reply("x")), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/x", Handler()), std::invalid_argument);
  router.AddPrefix("GET", "/api", Reply("api"));
  EXPECT_THROW(router.AddPrefix("GET", "/api/", Reply("again")), std::invalid_argument);
}

TEST(RouterTest, HandlerExceptionBecomes500) {
  Router router;
  router.Add("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("x"); });
  const Response response = Call(router, "GET", "/boom");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, R"({"error":{"code":"internal","message":"internal error"}})");
}

TEST(RouterTest, RequestHeaderLookup) {
  const MapHeaders headers(std::map<std::string, std::string>{{"accept", "text/event-stream"}});
  Request request;
  EXPECT_EQ(request.Header("accept"), "");
  request.headers = &headers;
  EXPECT_EQ(request.Header("accept"), "text/event-stream");
  EXPECT_EQ(request.Header("origin"), "");
}

// Records what a handler answered; single-threaded.
class RecordingWriter final : public ResponseWriter {
 public:
  bool Respond(Response response) override {
    if (response_) return false;
    response_ = std::move(response);
    return true;
  }
  bool StartStream(int, std::string, std::vector<std::pair<std::string, std::string>>) override {
    return false;
  }
  bool Write(std::string) override { return false; }
  void End() override {}
  bool closed() const override { return response_.has_value(); }
  void OnClose(std::function<void()>) override {}

  const std::optional<Response>& response() const { return response_; }

 private:
  std::optional<Response> response_;
};

AsyncHandler AsyncReply(std::string body) {
  return [body = std::move(body)](const Request&, std::shared_ptr<ResponseWriter> writer) {
    Response response;
    response.body = body;
    writer->Respond(std::move(response));
  };
}

std::optional<Response> CallWithWriter(const Router& router, std::string_view method,
                                       std::string_view path, size_t* route = nullptr) {
  Request request;
  request.method = method;
  request.target = path;
  auto writer = std::make_shared<RecordingWriter>();
  router.Dispatch(request, writer, route);
  return writer->response();
}

TEST(RouterTest, AsyncAndSyncHandlersShareRoutes) {
  Router router;
  router.AddAsync("POST", "/mcp", AsyncReply("post"));
  router.Add("GET", "/mcp", Reply("get"));
  router.AddPrefixAsync("GET", "/stream", AsyncReply("stream"));

  const Router::Match post = router.Find("POST", "/mcp");
  EXPECT_EQ(post.handler, nullptr);
  EXPECT_NE(post.async_handler, nullptr);
  const Router::Match get = router.Find("GET", "/mcp");
  EXPECT_NE(get.handler, nullptr);
  EXPECT_EQ(get.async_handler, nullptr);
  const Router::Match put = router.Find("PUT", "/mcp");
  EXPECT_EQ(put.handler, nullptr);
  EXPECT_EQ(put.async_handler, nullptr);
  EXPECT_EQ(put.allow, "GET, POST");

  EXPECT_EQ(CallWithWriter(router, "POST", "/mcp")->body, "post");
  EXPECT_EQ(CallWithWriter(router, "GET", "/mcp")->body, "get");  // sync through the writer
  EXPECT_EQ(CallWithWriter(router, "GET", "/stream/x")->body, "stream");
  EXPECT_EQ(CallWithWriter(router, "PUT", "/mcp")->status, 405);
  size_t route = 0;
  EXPECT_EQ(CallWithWriter(router, "GET", "/nope", &route)->status, 404);
  EXPECT_EQ(route, Router::kNoRoute);
  EXPECT_EQ(router.Label(1), "/stream/*");
}

TEST(RouterTest, AsyncRouteCalledSynchronouslyIs500) {
  Router router;
  router.AddAsync("POST", "/mcp", AsyncReply("post"));
  EXPECT_EQ(Call(router, "POST", "/mcp").status, 500);
}

TEST(RouterTest, AsyncRegistrationIsCheckedLikeSync) {
  Router router;
  router.Add("POST", "/mcp", Reply("sync"));
  EXPECT_THROW(router.AddAsync("POST", "/mcp", AsyncReply("again")), std::invalid_argument);
  EXPECT_THROW(router.AddAsync("GET", "/x", AsyncHandler()), std::invalid_argument);
  EXPECT_THROW(router.AddPrefixAsync("GET", "x", AsyncReply("x")), std::invalid_argument);
}

TEST(RouterTest, ThrowingAsyncHandlerAnswers500UnlessItAnswered) {
  Router router;
  router.AddAsync("GET", "/boom", [](const Request&, std::shared_ptr<ResponseWriter>) {
    throw std::runtime_error("x");
  });
  router.AddAsync("GET", "/late-boom", [](const Request&, std::shared_ptr<ResponseWriter> writer) {
    writer->Respond(Response{});
    throw std::runtime_error("after answering");
  });
  const auto boom = CallWithWriter(router, "GET", "/boom");
  ASSERT_TRUE(boom);
  EXPECT_EQ(boom->status, 500);
  EXPECT_EQ(boom->body, R"({"error":{"code":"internal","message":"internal error"}})");
  EXPECT_EQ(CallWithWriter(router, "GET", "/late-boom")->status, 200);
}

TEST(ErrorResponseTest, EscapesMessageAndMapsStatus) {
  const Response response =
      ErrorResponse(ErrorCode::kPayloadTooLarge, "say \"hi\"\n\\ \x01 caf\xc3\xa9");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.body,
            "{\"error\":{\"code\":\"payload_too_large\",\"message\":"
            "\"say \\\"hi\\\"\\n\\\\ \\u0001 caf\xc3\xa9\"}}");
}

}  // namespace
}  // namespace fastbreak::http
