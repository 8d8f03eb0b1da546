#include "testing/postgres_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "testing/testing.hpp"

namespace fastbreak::testing {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr auto kToolTimeout = std::chrono::seconds(60);  // initdb, pg_basebackup, pg_ctl

bool HasServerBinaries(const std::string& dir) {
  return !dir.empty() && IsExecutable(dir + "/initdb") && IsExecutable(dir + "/postgres") &&
         IsExecutable(dir + "/pg_ctl");
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// Who the server processes run as: `postgres` when we are root (PostgreSQL refuses root),
// else ourselves.
struct Identity {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Identity> ServerIdentity() {
  Identity identity;
  if (geteuid() != 0) return identity;
  const passwd* entry = getpwnam("postgres");
  if (entry == nullptr) {
    return MakeError(ErrorCode::kUnsupported,
                     "running as root and there is no `postgres` user to run PostgreSQL as");
  }
  identity.drop = true;
  identity.uid = entry->pw_uid;
  identity.gid = entry->pw_gid;
  return identity;
}

// Forks and execs `args` as `identity`, stdout and stderr appended to `log`, in `cwd`, with
// PR_SET_PDEATHSIG = SIGKILL (set after the uid change, which would clear it) so the child
// dies with the starting thread. Descriptors other than 0-2 are closed in the child: a
// postmaster must not hold copies of the test's client sockets.
Result<pid_t> Spawn(const std::vector<std::string>& args, const std::string& log,
                    const std::string& cwd, const Identity& identity) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int log_fd = open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) return MakeError(ErrorCode::kIo, "cannot open {}", log);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return MakeError(ErrorCode::kIo, "fork failed");
  }
  if (pid == 0) {  // the child: async-signal-safe calls only
    if (null_fd >= 0) dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
      for (int fd = 3; fd < 1024; ++fd) close(fd);
    }
    if (identity.drop) {
      if (setgroups(0, nullptr) != 0 || setgid(identity.gid) != 0 || setuid(identity.uid) != 0) {
        _exit(126);
      }
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  if (null_fd >= 0) close(null_fd);
  return pid;
}

// Waits for `pid` until `deadline`; true when it exited (reaped, status in *wstatus).
bool WaitUntil(pid_t pid, steady_clock::time_point deadline, int* wstatus) {
  while (true) {
    if (waitpid(pid, wstatus, WNOHANG) == pid) return true;
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

// True when `pid` (our child) has exited; does not reap it.
bool Exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// Runs a tool to completion (bounded by kToolTimeout).
Status Run(const std::vector<std::string>& args, const std::string& log, const std::string& cwd,
           const Identity& identity) {
  FB_ASSIGN_OR_RETURN(const pid_t pid, Spawn(args, log, cwd, identity));
  int wstatus = 0;
  if (!WaitUntil(pid, steady_clock::now() + kToolTimeout, &wstatus)) {
    kill(pid, SIGKILL);
    waitpid(pid, &wstatus, 0);
    return MakeError(ErrorCode::kTimeout, "{} did not finish in {} s: {}", args[0],
                     kToolTimeout.count(), Tail(log));
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return MakeError(ErrorCode::kInternal, "{} failed (status {}): {}", args[0], wstatus,
                     Tail(log));
  }
  return Ok();
}

// Runs `sql` on a new connection; returns the first column of the last result's rows.
Result<std::vector<std::string>> Exec(const std::string& conninfo, const std::string& sql) {
  // Admin statements are bounded too: a test that waits on a lock must not hang.
  const std::string full = conninfo + " options='-c statement_timeout=20000'";
  PGconn* conn = PQconnectdb(full.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return MakeError(ErrorCode::kConnection, "connect ({}): {}", conninfo, message);
  }
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
    const bool lost = PQstatus(conn) == CONNECTION_BAD;
    std::string message = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    return MakeError(lost ? ErrorCode::kConnection : ErrorCode::kInternal, "{}: {}", sql, message);
  }
  std::vector<std::string> rows;
  if (status == PGRES_TUPLES_OK && PQnfields(result) > 0) {
    for (int row = 0; row < PQntuples(result); ++row) {
      rows.emplace_back(PQgetvalue(result, row, 0), PQgetlength(result, row, 0));
    }
  }
  PQclear(result);
  PQfinish(conn);
  return rows;
}

std::string ConnInfo(int port, const std::string& dbname) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " dbname=" + dbname +
         " user=postgres connect_timeout=3";
}

}  // namespace

std::string PostgresServer::BinDir() {
  static const std::string dir = [] {
    if (const char* env = std::getenv("FASTBREAK_PG_BINDIR"); env != nullptr && *env != '\0') {
      return HasServerBinaries(env) ? std::string(env) : std::string();
    }
    if (FILE* pipe = popen("pg_config --bindir 2>/dev/null", "r"); pipe != nullptr) {
      char line[4096] = {};
      std::string found;
      if (std::fgets(line, sizeof(line), pipe) != nullptr) found = line;
      pclose(pipe);
      while (!found.empty() && (found.back() == '\n' || found.back() == ' ')) found.pop_back();
      if (HasServerBinaries(found)) return found;
    }
    const std::string fallback = "/usr/lib/postgresql/15/bin";
    return HasServerBinaries(fallback) ? fallback : std::string();
  }();
  return dir;
}

std::string PostgresServer::UnavailableMessage() {
  return "PostgreSQL server binaries not found (install postgresql-15, or set "
         "FASTBREAK_PG_BINDIR to the directory holding initdb, postgres and pg_ctl)";
}

PostgresServer::~PostgresServer() {
  if (pid_ > 0) {
    // Immediate shutdown (what pg_ctl stop -m immediate sends): nothing is worth flushing.
    kill(pid_, SIGQUIT);
    int wstatus = 0;
    if (!WaitUntil(pid_, steady_clock::now() + std::chrono::seconds(5), &wstatus)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &wstatus, 0);
    }
    pid_ = -1;
  }
  if (!root_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
}

std::string PostgresServer::log_path() const { return root_ + "/postgres.log"; }

std::string PostgresServer::dsn() const { return ConnInfo(port_, "fastbreak"); }

bool PostgresServer::running() const { return pid_ > 0 && !Exited(pid_); }

Status PostgresServer::MakeRoot() {
  if (!root_.empty()) return MakeError(ErrorCode::kInvalidArgument, "server already set up");
  std::string pattern = (std::filesystem::temp_directory_path() / "fastbreak-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return MakeError(ErrorCode::kIo, "cannot create a temporary directory from {}", pattern);
  }
  root_ = pattern;
  data_dir_ = root_ + "/data";
  FB_ASSIGN_OR_RETURN(const Identity identity, ServerIdentity());
  if (identity.drop && chown(root_.c_str(), identity.uid, identity.gid) != 0) {
    return MakeError(ErrorCode::kIo, "cannot give {} to the postgres user", root_);
  }
  return Ok();
}

Status PostgresServer::InitDb(const std::vector<std::string>& settings) {
  FB_ASSIGN_OR_RETURN(const Identity identity, ServerIdentity());
  FB_RETURN_IF_ERROR(Run({BinDir() + "/initdb", "-D", data_dir_, "-U", "postgres", "--auth=trust",
                          "--encoding=UTF8", "--locale=C", "--no-sync"},
                         log_path(), root_, identity));
  // Appending and truncating keep initdb's files owned by the server's user.
  std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
  conf << "\n# fastbreak test server\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "port = " << port_ << "\n"
       << "unix_socket_directories = '" << root_ << "'\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
       << "wal_level = replica\nmax_wal_senders = 10\n"
       << "hot_standby = on\nhot_standby_feedback = on\n"
       << "max_connections = 100\nshared_buffers = 32MB\n"
       // LLVM compilation of expensive plans costs seconds on a small test machine.
       << "jit = off\n";
  for (const std::string& line : settings) conf << line << "\n";
  conf.close();
  std::ofstream hba(data_dir_ + "/pg_hba.conf", std::ios::trunc);
  hba << "local all all trust\n"
      << "host all all 127.0.0.1/32 trust\n"
      << "local replication all trust\n"
      << "host replication all 127.0.0.1/32 trust\n";
  hba.close();
  if (!conf || !hba) return MakeError(ErrorCode::kIo, "cannot write the configuration");
  return Ok();
}

Status PostgresServer::PgCtl(const std::vector<std::string>& args) const {
  FB_ASSIGN_OR_RETURN(const Identity identity, ServerIdentity());
  std::vector<std::string> full = {BinDir() + "/pg_ctl", "-D", data_dir_};
  full.insert(full.end(), args.begin(), args.end());
  return Run(full, log_path(), root_, identity);
}

Status PostgresServer::SpawnPostmaster() {
  FB_ASSIGN_OR_RETURN(const Identity identity, ServerIdentity());
  // The port and socket directory on the command line override the configuration files,
  // which a replica copies from its primary.
  FB_ASSIGN_OR_RETURN(
      pid_, Spawn({BinDir() + "/postgres", "-D", data_dir_, "-p", std::to_string(port_), "-k",
                   root_, "-c", "listen_addresses=127.0.0.1"},
                  log_path(), root_, identity));
  Status ready = WaitReady(replica_);
  if (!ready) {
    int wstatus = 0;
    kill(pid_, SIGKILL);
    waitpid(pid_, &wstatus, 0);
    pid_ = -1;
  }
  return ready;
}

Status PostgresServer::WaitReady(bool expect_recovery) const {
  const auto deadline = steady_clock::now() + kStartTimeout;
  const std::string conninfo = ConnInfo(port_, "postgres");
  while (steady_clock::now() < deadline) {
    if (Exited(pid_)) {
      return MakeError(ErrorCode::kConnection, "postgres on port {} exited at start: {}", port_,
                       Tail(log_path()));
    }
    if (PQping(conninfo.c_str()) == PQPING_OK) {
      auto recovery = Exec(conninfo, "SELECT pg_is_in_recovery()");
      if (recovery && recovery->size() == 1 && ((*recovery)[0] == "t") == expect_recovery) {
        return Ok();
      }
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return MakeError(ErrorCode::kTimeout, "postgres on port {} not ready in {} s: {}", port_,
                   kStartTimeout.count(), Tail(log_path()));
}

Status PostgresServer::StartPrimary(const std::vector<std::string>& settings) {
  if (!Available()) return MakeError(ErrorCode::kUnsupported, UnavailableMessage());
  if (started_) return MakeError(ErrorCode::kInvalidArgument, "server already started");
  FB_RETURN_IF_ERROR(MakeRoot());
  port_ = FreeLoopbackPort();
  FB_RETURN_IF_ERROR(InitDb(settings));
  Status status = Ok();
  for (int attempt = 0; attempt < 5; ++attempt) {  // another process may take the port first
    if (attempt > 0) port_ = FreeLoopbackPort();
    if (port_ == 0) return MakeError(ErrorCode::kIo, "no free port on 127.0.0.1");
    status = SpawnPostmaster();
    if (status) break;
  }
  FB_RETURN_IF_ERROR(status);
  started_ = true;
  auto created = Exec(ConnInfo(port_, "postgres"), "CREATE DATABASE fastbreak");
  if (!created) return tl::unexpected<Error>(std::move(created).error());
  return Ok();
}

Status PostgresServer::StartReplicaOf(const PostgresServer& primary) {
  if (!Available()) return MakeError(ErrorCode::kUnsupported, UnavailableMessage());
  if (started_) return MakeError(ErrorCode::kInvalidArgument, "server already started");
  if (!primary.running()) return MakeError(ErrorCode::kInvalidArgument, "primary not running");
  FB_RETURN_IF_ERROR(MakeRoot());
  FB_ASSIGN_OR_RETURN(const Identity identity, ServerIdentity());
  FB_RETURN_IF_ERROR(Run(
      {BinDir() + "/pg_basebackup", "-h", "127.0.0.1", "-p", std::to_string(primary.port()), "-U",
       "postgres", "-D", data_dir_, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"},
      log_path(), root_, identity));
  replica_ = true;
  Status status = Ok();
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreeLoopbackPort();
    if (port_ == 0) return MakeError(ErrorCode::kIo, "no free port on 127.0.0.1");
    status = SpawnPostmaster();
    if (status) break;
  }
  FB_RETURN_IF_ERROR(status);
  started_ = true;
  return Ok();
}

Status PostgresServer::Stop() {
  if (pid_ <= 0) return Ok();
  Status status = PgCtl({"stop", "-m", "fast", "-w", "-t", "20"});
  int wstatus = 0;
  if (!WaitUntil(pid_, steady_clock::now() + std::chrono::seconds(5), &wstatus)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &wstatus, 0);
  }
  pid_ = -1;
  return status;
}

Status PostgresServer::Start() {
  if (!started_) return MakeError(ErrorCode::kInvalidArgument, "server was never started");
  if (running()) return Ok();
  if (pid_ > 0) Kill();  // exited on its own: reap it
  // Same port and data. After Kill() the old backends may still hold the shared memory for a
  // moment, and the port may linger: retry until the start deadline.
  const auto deadline = steady_clock::now() + kStartTimeout;
  Status status = Ok();
  do {
    status = SpawnPostmaster();
    if (status) return status;
    std::this_thread::sleep_for(milliseconds(100));
  } while (steady_clock::now() < deadline && status.error().code != ErrorCode::kTimeout);
  return status;
}

Status PostgresServer::Restart() {
  FB_RETURN_IF_ERROR(Stop());
  return Start();
}

void PostgresServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int wstatus = 0;
  waitpid(pid_, &wstatus, 0);
  pid_ = -1;
}

Result<std::vector<std::string>> PostgresServer::Query(const std::string& sql) const {
  if (!started_) return MakeError(ErrorCode::kConnection, "postgres server never started");
  return Exec(dsn(), sql);
}

}  // namespace fastbreak::testing
