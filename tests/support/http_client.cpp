#include "tests/support/http_client.hpp"

#include "net/beast.hpp"

#include <nlohmann/json.hpp>
#include <openssl/hmac.h>

#include <cstdio>
#include <ctime>

namespace crm::test {

http_result http_request(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body,
                         const std::map<std::string, std::string>& headers) {
  namespace net = crm::net;
  http_result result;
  try {
    net::asio::io_context ioc;
    net::beast::tcp_stream stream{ioc};
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(net::tcp::endpoint{net::asio::ip::make_address("127.0.0.1"), port});
    net::request req{net::http::string_to_verb(method), target, 11};
    req.set(net::http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers)
      req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    net::beast::error_code write_error;
    net::http::write(stream, req, write_error); // a refused body may end early: read the answer
    net::beast::flat_buffer buffer;
    net::http::response_parser<net::http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    net::http::read(stream, buffer, parser);
    auto res = parser.release();
    result.status = res.result_int();
    result.body = res.body();
    for (auto& field : res)
      result.headers[std::string{field.name_string()}] = std::string{field.value()};
    net::beast::error_code ec;
    stream.socket().shutdown(net::tcp::socket::shutdown_both, ec);
  } catch (const std::exception&) {
    result.status = 0;
  }
  return result;
}

std::string meta_signature(const std::string& secret, const std::string& body) {
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string hex = "sha256=";
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", mac[i]);
    hex += buf;
  }
  return hex;
}

namespace {

nlohmann::json envelope(const std::string& phone_number_id, nlohmann::json value) {
  value["messaging_product"] = "whatsapp";
  value["metadata"] = {{"display_phone_number", "573000000001"},
                       {"phone_number_id", phone_number_id}};
  return {
      {"object", "whatsapp_business_account"},
      {"entry",
       {{{"id", "102290129340398"}, {"changes", {{{"field", "messages"}, {"value", value}}}}}}}};
}

} // namespace

std::string meta_text_webhook(const std::string& phone_number_id, const std::string& from,
                              const std::string& wamid, const std::string& text,
                              long long timestamp) {
  nlohmann::json value = {
      {"contacts",
       {{{"profile", {{"name", "Deudor " + from.substr(from.size() - 4)}}}, {"wa_id", from}}}},
      {"messages",
       {{{"from", from},
         {"id", wamid},
         {"timestamp", std::to_string(timestamp != 0 ? timestamp : std::time(nullptr))},
         {"type", "text"},
         {"text", {{"body", text}}}}}}};
  return envelope(phone_number_id, value).dump();
}

std::string meta_status_webhook(const std::string& phone_number_id, const std::string& wamid,
                                const std::string& status, const std::string& recipient,
                                long long timestamp) {
  nlohmann::json value = {
      {"statuses",
       {{{"id", wamid},
         {"status", status},
         {"timestamp", std::to_string(timestamp != 0 ? timestamp : std::time(nullptr))},
         {"recipient_id", recipient}}}}};
  return envelope(phone_number_id, value).dump();
}

} // namespace crm::test
