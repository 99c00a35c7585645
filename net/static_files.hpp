#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crm::net {

/// The browser console (`web/`), read into memory once at start. Requests are answered by
/// exact lookup only, so no path can reach outside the folder, and a file costs no disk read.
class static_files {
 public:
  struct file {
    std::string body;
    std::string content_type;
    std::string etag; // strong: a hash of the body
  };

  /// Every regular file under `root` (that `keep` accepts, given its path relative to
  /// `root`), dot-files and symlinks skipped; empty when `root` is missing. Throws when the
  /// folder holds more than `max_bytes`.
  static std::shared_ptr<const static_files>
  load(const std::filesystem::path& root, std::size_t max_bytes = 32 * 1024 * 1024,
       const std::function<bool(const std::filesystem::path&)>& keep = {});

  /// The file for a request path ("/" is "/index.html"), or nullptr.
  const file* find(std::string_view path) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::unordered_map<std::string, file> files_; // "/js/app.js"
};

/// The media type served for a file name ("application/octet-stream" when unknown).
std::string_view content_type_of(std::string_view name);

} // namespace crm::net
