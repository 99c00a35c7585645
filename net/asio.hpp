#pragma once

// Boost 1.74's Asio needs std::exchange under C++20 before any of its headers.
// clang-format off
#include <utility>
// clang-format on
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>

namespace crm::net {
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
} // namespace crm::net
