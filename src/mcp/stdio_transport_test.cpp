#include "mcp/stdio_transport.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "mcp/mcp_test_util.hpp"

namespace fastbreak::mcp {
namespace {

// Runs RunStdio over pipes: writes `input`, closes stdin, and returns every output line.
class StdioTest : public testing::McpFixture {
 protected:
  std::vector<Json> Run(const std::string& input, StdioOptions options = {}) {
    int in[2];
    int out[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    Status status = Ok();
    std::thread server([&] {
      status = RunStdio(*server_, in[0], out[1], options);
      close(out[1]);
    });
    std::thread writer([&] {
      size_t offset = 0;
      while (offset < input.size()) {
        const ssize_t n = write(in[1], input.data() + offset, input.size() - offset);
        if (n <= 0) break;
        offset += static_cast<size_t>(n);
      }
      close(in[1]);
    });
    std::string output;
    char buffer[4096];
    ssize_t n;
    while ((n = read(out[0], buffer, sizeof(buffer))) > 0) output.append(buffer, n);
    writer.join();
    server.join();
    close(in[0]);
    close(out[0]);
    EXPECT_TRUE(status) << status.error().ToString();
    std::vector<Json> lines;
    std::istringstream stream(output);
    std::string line;
    while (std::getline(stream, line)) {
      Json parsed = Json::parse(line, nullptr, false);
      EXPECT_FALSE(parsed.is_discarded()) << "not JSON on stdout: " << line;
      lines.push_back(parsed);
    }
    return lines;
  }
};

TEST_F(StdioTest, AnswersEachLineAndExitsOnEof) {
  const std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\r\n\n"
      "this is not json\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"standings","arguments":{}}})"
      "\n"
      R"({"jsonrpc":"2.0","id":3,"method":"ping"})";  // last line without a newline
  const auto lines = Run(input);
  ASSERT_EQ(lines.size(), 4U);
  std::map<int, Json> by_id;
  int parse_errors = 0;
  for (const auto& line : lines) {
    if (line["id"].is_null()) {
      EXPECT_EQ(line["error"]["code"], -32700);
      ++parse_errors;
    } else {
      by_id[line["id"].get<int>()] = line;
    }
  }
  EXPECT_EQ(parse_errors, 1);
  EXPECT_EQ(by_id[1]["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(by_id[2]["result"]["isError"], false);
  EXPECT_EQ(by_id[3]["result"], Json::object());
}

TEST_F(StdioTest, OverlongLinesAreRefusedAndTheSessionGoesOn) {
  StdioOptions options;
  options.max_message_bytes = 1000;
  const std::string input =
      std::string(5000, 'x') + "\n" + R"({"jsonrpc":"2.0","id":1,"method":"ping"})" + "\n";
  const auto lines = Run(input, options);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0]["error"]["code"], -32700);
  EXPECT_EQ(lines[1]["id"], 1);
}

}  // namespace
}  // namespace fastbreak::mcp
