// libFuzzer target: the JSON bodies of the chat routes (send, assign, transfer, close,
// typing) as REST and the WebSocket read them.
#include "net/chat_input.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  static const char* kinds[] = {"send", "assign", "transfer", "close", "typing"};
  auto kind = kinds[data[0] % 5];
  auto body = nlohmann::json::parse(reinterpret_cast<const char*>(data) + 1,
                                    reinterpret_cast<const char*>(data) + size, nullptr, false);
  if (body.is_discarded())
    return 0;
  crm::chat_command cmd;
  if (!crm::net::read_chat_command(kind, body, cmd)) {
    crm::contact::settings rules;
    (void)crm::net::forbidden_question(cmd, &rules);
  }
  return 0;
}
