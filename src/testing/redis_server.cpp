#include "testing/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace fastbreak::testing {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

timeval Timeval(milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

RedisValue Convert(const redisReply* reply) {
  RedisValue value;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
      value.type = RedisValue::Type::kString;
      break;
    case REDIS_REPLY_STATUS:
      value.type = RedisValue::Type::kStatus;
      break;
    case REDIS_REPLY_ERROR:
      value.type = RedisValue::Type::kError;
      break;
    case REDIS_REPLY_INTEGER:
      value.type = RedisValue::Type::kInteger;
      value.integer = reply->integer;
      break;
    case REDIS_REPLY_ARRAY:
      value.type = RedisValue::Type::kArray;
      for (size_t i = 0; i < reply->elements; ++i) {
        value.elements.push_back(Convert(reply->element[i]));
      }
      break;
    default:
      value.type = RedisValue::Type::kNil;
  }
  if (reply->str != nullptr) value.str.assign(reply->str, reply->len);
  return value;
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

std::string RedisServer::BinaryPath() {
  if (const char* env = std::getenv("FASTBREAK_REDIS_SERVER"); env != nullptr && *env != '\0') {
    return IsExecutable(env) ? env : "";
  }
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (!dir.empty() && IsExecutable(dir + "/redis-server")) return dir + "/redis-server";
    }
  }
  for (const char* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (IsExecutable(candidate)) return candidate;
  }
  return "";
}

std::string RedisServer::UnavailableMessage() {
  return "redis-server not found (install the redis-server package, or set "
         "FASTBREAK_REDIS_SERVER to its path)";
}

RedisServer::~RedisServer() { Stop(); }

Status RedisServer::Start(const std::vector<std::string>& extra_args) {
  if (running()) return Ok();
  const bool keep_port = port_ != 0;
  Status status = Ok();
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!keep_port) port_ = FreeLoopbackPort();
    if (port_ == 0) return MakeError(ErrorCode::kIo, "no free port on 127.0.0.1");
    status = StartOnce(extra_args);
    if (status) return status;
    if (keep_port) std::this_thread::sleep_for(milliseconds(100));  // the port may linger
  }
  return status;
}

Status RedisServer::StartOnce(const std::vector<std::string>& extra_args) {
  const std::string binary = BinaryPath();
  if (binary.empty()) return MakeError(ErrorCode::kUnsupported, UnavailableMessage());
  const std::string log = dir_.File("redis.log");
  std::vector<std::string> args = {
      binary,   "--port", std::to_string(port_), "--bind",    "127.0.0.1",
      "--save", "",       "--appendonly",        "no",        "--daemonize",
      "no",     "--dir",  dir_.path().string(),  "--logfile", log};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return MakeError(ErrorCode::kIo, "fork failed");
  if (pid == 0) {  // the child: async-signal-safe calls only
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, 0);
      dup2(null_fd, 1);
      dup2(null_fd, 2);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  paused_ = false;
  const auto deadline = steady_clock::now() + std::chrono::seconds(5);
  while (steady_clock::now() < deadline) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return MakeError(ErrorCode::kConnection, "redis-server on port {} exited at start: {}", port_,
                       Tail(log));
    }
    if (Ping()) return Ok();
    std::this_thread::sleep_for(milliseconds(10));
  }
  Kill();
  return MakeError(ErrorCode::kTimeout, "redis-server on port {} did not answer PING in 5 s: {}",
                   port_, Tail(log));
}

void RedisServer::Stop() {
  if (!running()) return;
  kill(pid_, SIGTERM);
  if (paused_) kill(pid_, SIGCONT);  // a stopped process handles SIGTERM only once continued
  const auto deadline = steady_clock::now() + std::chrono::seconds(3);
  while (steady_clock::now() < deadline) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      paused_ = false;
      return;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  Kill();
}

void RedisServer::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int wstatus = 0;
  waitpid(pid_, &wstatus, 0);
  pid_ = -1;
  paused_ = false;
}

void RedisServer::Pause() {
  if (running() && !paused_ && kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void RedisServer::Resume() {
  if (running() && paused_ && kill(pid_, SIGCONT) == 0) paused_ = false;
}

bool RedisServer::Ping() const {
  auto reply = Command({"PING"});
  return reply && reply->type == RedisValue::Type::kStatus && reply->str == "PONG";
}

Result<RedisValue> RedisServer::Command(const std::vector<std::string>& args) const {
  if (port_ == 0) return MakeError(ErrorCode::kConnection, "redis-server never started");
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port_, Timeval(milliseconds(1000)));
  if (context == nullptr || context->err != 0) {
    std::string message = context != nullptr ? context->errstr : "cannot allocate";
    if (context != nullptr) redisFree(context);
    return MakeError(ErrorCode::kConnection, "redis 127.0.0.1:{}: {}", port_, message);
  }
  redisSetTimeout(context, Timeval(milliseconds(1000)));
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    std::string message = context->errstr;
    redisFree(context);
    return MakeError(ErrorCode::kConnection, "redis 127.0.0.1:{}: {}", port_, message);
  }
  RedisValue value = Convert(reply);
  freeReplyObject(reply);
  redisFree(context);
  return value;
}

}  // namespace fastbreak::testing
