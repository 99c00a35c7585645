#include "net/router.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace crm::net {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    auto end = path.find('/', start);
    if (end == std::string_view::npos)
      end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end;
  }
  return parts;
}

} // namespace

std::string_view request_context::header(std::string_view name) const {
  auto it = req.find(beast::string_view{name.data(), name.size()});
  if (it == req.end())
    return {};
  auto v = it->value();
  return {v.data(), v.size()};
}

std::string request_context::query_or(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

std::string url_decode(std::string_view s) {
  auto hex = [](char c) {
    return OPENSSL_hexchar2int(static_cast<unsigned char>(c));
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]); // a stray '%' stays as it is
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> result;
  size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos)
      end = query.size();
    auto pair = query.substr(start, end - start);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      if (eq == std::string_view::npos)
        result[url_decode(pair)] = "";
      else
        result[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return result;
}

void router::add(route_table table) {
  for (auto& r : table) {
    std::vector<std::string> segs;
    for (auto s : split_path(r.pattern))
      segs.emplace_back(s);
    segments_.push_back(std::move(segs));
    largest_body_ = std::max(largest_body_, r.body_limit);
    routes_.push_back(std::move(r));
  }
}

router::match router::find(http::verb verb, std::string_view path) const {
  match result;
  auto parts = split_path(path);
  for (size_t i = 0; i < routes_.size(); ++i) {
    auto& segs = segments_[i];
    if (segs.size() != parts.size())
      continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t k = 0; k < segs.size() && ok; ++k) {
      auto& s = segs[k];
      if (s.size() > 2 && s.front() == '{' && s.back() == '}')
        params[s.substr(1, s.size() - 2)] = url_decode(parts[k]);
      else
        ok = s == parts[k];
    }
    if (!ok)
      continue;
    result.path_exists = true;
    if (routes_[i].verb == verb) {
      result.found = &routes_[i];
      result.params = std::move(params);
      return result;
    }
  }
  return result;
}

} // namespace crm::net
