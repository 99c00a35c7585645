#pragma once

#include "net/asio.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace crm::net {
namespace beast = boost::beast;
namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;
} // namespace crm::net
