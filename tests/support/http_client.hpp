#pragma once

#include <map>
#include <string>

namespace crm::test {

struct http_result {
  int status = 0; // 0: no answer (connection refused or reset)
  std::string body;
  std::map<std::string, std::string> headers;
};

/// One synchronous HTTP/1.1 request to 127.0.0.1:port (a fresh connection each time).
http_result http_request(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body = {},
                         const std::map<std::string, std::string>& headers = {});

/// Signs a body as Meta does: "sha256=" + hex HMAC-SHA256(secret, body).
std::string meta_signature(const std::string& secret, const std::string& body);

/// A Meta webhook carrying one text message, shaped exactly like Meta's (sent now, unless
/// a unix `timestamp` is given).
std::string meta_text_webhook(const std::string& phone_number_id, const std::string& from,
                              const std::string& wamid, const std::string& text,
                              long long timestamp = 0);

/// A Meta webhook carrying one status for one of our outbound messages.
std::string meta_status_webhook(const std::string& phone_number_id, const std::string& wamid,
                                const std::string& status, const std::string& recipient,
                                long long timestamp = 1764230100);

} // namespace crm::test
