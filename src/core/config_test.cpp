#include "core/config.hpp"

#include <gtest/gtest.h>

#include "testing/testing.hpp"

namespace fastbreak {
namespace {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  double timeout_s = 2.5;
  bool gzip = false;
};

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    loader_.Bind("server.host", &options_.host, "address to bind");
    loader_.Bind("server.port", &options_.port, "TCP port");
    loader_.Bind("server.timeout_s", &options_.timeout_s, "request time limit, seconds");
    loader_.Bind("server.gzip", &options_.gzip, "compress responses");
  }
  ConfigLoader loader_;
  ServerOptions options_;
};

TEST_F(ConfigTest, DefaultsStayWhenNothingIsLoaded) {
  ASSERT_OK(loader_.LoadYaml("", "empty"));
  EXPECT_EQ(options_.port, 8080);
  EXPECT_EQ(options_.host, "127.0.0.1");
}

TEST_F(ConfigTest, YamlFillsTheStruct) {
  ASSERT_OK(loader_.LoadYaml("server:\n  port: 9000\n  gzip: true\n  timeout_s: 0.5\n", "f.yaml"));
  EXPECT_EQ(options_.port, 9000);
  EXPECT_TRUE(options_.gzip);
  EXPECT_DOUBLE_EQ(options_.timeout_s, 0.5);
}

TEST_F(ConfigTest, UnknownKeyIsRejectedByName) {
  auto status = loader_.LoadYaml("server:\n  prot: 9000\n", "fastbreak.yaml");
  EXPECT_ERROR(status, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find("'server.prot'"), std::string::npos);
  EXPECT_NE(status.error().message.find("fastbreak.yaml"), std::string::npos);
}

TEST_F(ConfigTest, UnknownSectionIsRejectedByName) {
  auto status = loader_.LoadYaml("sevrer:\n  port: 1\n", "f.yaml");
  EXPECT_ERROR(status, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find("'sevrer.port'"), std::string::npos);
}

TEST_F(ConfigTest, WrongTypeIsRejected) {
  EXPECT_ERROR(loader_.LoadYaml("server:\n  port: eighty\n", "f.yaml"),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(loader_.LoadYaml("server:\n  gzip: maybe\n", "f.yaml"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(loader_.LoadYaml("server:\n  port: [1, 2]\n", "f.yaml"),
               ErrorCode::kInvalidArgument);
  EXPECT_EQ(options_.port, 8080);
}

TEST_F(ConfigTest, MalformedYamlIsAParseError) {
  EXPECT_ERROR(loader_.LoadYaml("server: [\n", "f.yaml"), ErrorCode::kParseError);
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  EXPECT_ERROR(loader_.LoadFile("/nonexistent/fastbreak.yaml"), ErrorCode::kNotFound);
}

TEST_F(ConfigTest, EnvironmentOverridesFileAndFlagsOverrideEnvironment) {
  ASSERT_OK(loader_.LoadYaml("server:\n  port: 9000\n  host: 0.0.0.0\n", "f.yaml"));
  const char* env[] = {"PATH=/bin", "FASTBREAK_SERVER_PORT=9100", "FASTBREAK_TEST_PG_DSN=x",
                       "FASTBREAK_SHARED_DATA=/tmp", nullptr};
  ASSERT_OK(loader_.LoadEnvironment(env));
  EXPECT_EQ(options_.port, 9100);
  EXPECT_EQ(options_.host, "0.0.0.0");
  ASSERT_OK(loader_.Set("server.port", "9200", "--port"));
  EXPECT_EQ(options_.port, 9200);
}

TEST_F(ConfigTest, UnknownKeyInAKnownSectionOfTheEnvironmentIsRejected) {
  const char* env[] = {"FASTBREAK_SERVER_PROT=1", nullptr};
  auto status = loader_.LoadEnvironment(env);
  EXPECT_ERROR(status, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find("FASTBREAK_SERVER_PROT"), std::string::npos);
}

TEST_F(ConfigTest, UnknownSectionInTheEnvironmentIsRejected) {
  const char* env[] = {"FASTBREAK_SEVRER_PORT=1", nullptr};
  auto status = loader_.LoadEnvironment(env);
  EXPECT_ERROR(status, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find("FASTBREAK_SEVRER_PORT"), std::string::npos);
  const char* bare[] = {"FASTBREAK_VERBOSE=1", nullptr};
  EXPECT_ERROR(loader_.LoadEnvironment(bare), ErrorCode::kInvalidArgument);
}

TEST_F(ConfigTest, NonScalarKeysAreAParseErrorNotACrash) {
  EXPECT_ERROR(loader_.LoadYaml("? [a, b]\n: {port: 1}\n", "f.yaml"), ErrorCode::kParseError);
  EXPECT_ERROR(loader_.LoadYaml("server:\n  ? [a]\n  : 1\n", "f.yaml"), ErrorCode::kParseError);
  EXPECT_ERROR(loader_.LoadYaml("server: 5\n", "f.yaml"), ErrorCode::kInvalidArgument);
}

TEST_F(ConfigTest, DumpShowsEffectiveValuesWithHelp) {
  ASSERT_OK(loader_.Set("server.port", "9001", "test"));
  const std::string dump = loader_.Dump();
  EXPECT_NE(dump.find("server:\n"), std::string::npos);
  EXPECT_NE(dump.find("  # TCP port\n  port: 9001\n"), std::string::npos);
}

}  // namespace
}  // namespace fastbreak
