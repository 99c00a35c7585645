#include "net/static_files.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace crm::net {

namespace {

std::string etag_of(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (unsigned int i = 0; i < 12 && i < len; ++i) {
    tag.push_back(hex[digest[i] >> 4]);
    tag.push_back(hex[digest[i] & 15]);
  }
  return tag + "\"";
}

bool hidden(const std::filesystem::path& relative) {
  for (auto& part : relative)
    if (auto s = part.string(); !s.empty() && s[0] == '.')
      return true;
  return false;
}

} // namespace

std::string_view content_type_of(std::string_view name) {
  struct entry {
    std::string_view ext, type;
  };
  static constexpr entry types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (auto& t : types)
    if (name.size() >= t.ext.size() && name.substr(name.size() - t.ext.size()) == t.ext)
      return t.type;
  return "application/octet-stream";
}

std::shared_ptr<const static_files>
static_files::load(const std::filesystem::path& root, std::size_t max_bytes,
                   const std::function<bool(const std::filesystem::path&)>& keep) {
  auto result = std::make_shared<static_files>();
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec))
    return result;
  std::size_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    auto relative = std::filesystem::relative(it->path(), root);
    if (hidden(relative)) {
      if (it->is_directory())
        it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink() || !it->is_regular_file() || (keep && !keep(relative)))
      continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string body{std::istreambuf_iterator<char>(in), {}};
    total += body.size();
    if (total > max_bytes)
      throw std::runtime_error("the web folder " + root.string() + " holds more than " +
                               std::to_string(max_bytes) + " bytes");
    auto key = "/" + relative.generic_string();
    file f{std::move(body), std::string{content_type_of(key)}, {}};
    f.etag = etag_of(f.body);
    result->files_.emplace(std::move(key), std::move(f));
  }
  if (ec)
    throw std::runtime_error("cannot read the web folder " + root.string() + ": " + ec.message());
  return result;
}

const static_files::file* static_files::find(std::string_view path) const {
  if (path == "/")
    path = "/index.html";
  auto it = files_.find(std::string{path});
  return it == files_.end() ? nullptr : &it->second;
}

} // namespace crm::net
