// libFuzzer target: Meta's webhook parser and signature check on arbitrary bytes.
#include "net/meta_webhook.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body{reinterpret_cast<const char*>(data), size};
  (void)crm::net::verify_meta_signature("fuzz-secret", body, "sha256=00");
  auto hook = crm::net::parse_meta_webhook(body);
  if (hook) // whatever parses must be usable: walk it
    for (auto& change : hook->changes)
      for (auto& m : change.messages)
        (void)m.text.size();
  return 0;
}
