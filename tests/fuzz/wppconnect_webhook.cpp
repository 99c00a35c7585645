// libFuzzer target: the WPPConnect webhook parser on arbitrary bytes.
#include "net/wppconnect_webhook.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body{reinterpret_cast<const char*>(data), size};
  (void)crm::net::parse_wppconnect_webhook(body);
  return 0;
}
