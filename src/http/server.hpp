// The HTTP/1.1 server: N I/O threads, keep-alive, bounded reads, graceful stop.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/router.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::http {

struct ServerOptions {
  // Address to listen on: an IP literal ("127.0.0.1", "0.0.0.0", "::") or a host name.
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free port (read it back with Server::port()).
  int port = 8080;
  // Threads running the I/O loop and the handlers (asynchronous handlers hand their work to
  // their own pool); 0 = one per hardware thread.
  int io_threads = 0;
  // Largest request body accepted; larger ones get 413 and the connection is closed.
  size_t body_limit_bytes = size_t{1} << 20;
  // Largest request line + header fields; larger ones get 431 and the connection is closed.
  size_t header_limit_bytes = 16 * 1024;
  // Time a client has to send one whole request (from its first byte, or from connect for
  // the first request), and to take the response (each write of a streamed one). Bounds how
  // long a slow client holds a connection; expiry closes it. Also the time an asynchronous
  // handler has to answer (see ResponseWriter): expiry sends 504.
  int request_timeout_ms = 30000;
  // How long an idle keep-alive connection waits for its next request before it is closed.
  int keep_alive_timeout_ms = 60000;
  // Open connections beyond this are closed right after accept. Bounds memory and fds.
  size_t max_connections = 10000;
  // How long Stop() lets in-flight requests finish before it abandons them.
  int shutdown_grace_ms = 5000;
};

// Owns the listening socket, the I/O threads and every connection.
//
// Thread safety: port(), Stop() and Wait() may be called from any thread except the server's
// own I/O threads (i.e. not from a handler). The router is immutable once started; the
// registry must outlive the server.
class Server {
 public:
  // Binds host:port, starts the I/O threads and returns once the server accepts connections.
  // A port in use or an unresolvable host returns kConnection naming host:port; options out
  // of range return kInvalidArgument.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Router router,
                                               telemetry::MetricsRegistry& metrics);

  // Stops (see Stop) and releases everything.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the chosen one when options.port was 0).
  int port() const;

  // Graceful stop: closes the listener, closes idle keep-alive connections at once, ends open
  // streamed responses (their OnClose runs; what was queued is still written), lets requests
  // being read or handled (asynchronous ones included) finish (then closes their connections)
  // for up to shutdown_grace_ms, then stops the I/O loop and joins its threads. Connections
  // still busy after the grace are abandoned: no more I/O on them, their ResponseWriters refuse
  // everything and run OnClose (on the thread calling Stop), their sockets closed when the
  // Server is destroyed. Idempotent; concurrent callers all return once the server has stopped.
  void Stop();

  // Blocks until the server has stopped (Stop() returned on some thread).
  void Wait();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fastbreak::http
