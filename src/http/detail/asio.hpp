// The one place this module includes Boost.Asio and Boost.Beast: files include this, never a
// Boost header directly (include guards would make a direct include bypass the pragma below).
//
// Asio 1.74 trips g++ 12's -Wnull-dereference in optimized builds (scheduler.ipp,
// compensating_work_started: a pointer that is never null on that path). The warning is
// reported at the header's own location, so silencing it around these includes keeps the
// check on for our code.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/error_code.hpp>
#pragma GCC diagnostic pop

#include <chrono>

namespace fastbreak::http::detail {

// Concrete executor types for connections. The type-erased any_io_executor (Asio's default)
// heap-allocates whenever it wraps a strand and is copied or re-targeted, which Asio and Beast
// do several times per operation; these aliases avoid that.
using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand>;
using Stream =
    boost::beast::basic_stream<boost::asio::ip::tcp, Strand, boost::beast::unlimited_rate_policy>;
using Timer =
    boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                      boost::asio::wait_traits<std::chrono::steady_clock>, Strand>;

}  // namespace fastbreak::http::detail
