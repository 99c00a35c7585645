#pragma once

#include "actors/interfaces.hpp"
#include "actors/transport.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace crm::test {

/// What the mock STORAGE saw and how it should answer. Shared with the test.
struct storage_script {
  bool fail_writes = false;              // answer writes with storage_unavailable
  std::set<std::string> known_numbers;   // Meta phone_number_ids that exist
  std::vector<chat_snapshot> open_chats; // answered to atom::load
  // -- observed --
  std::vector<append_message> appends;
  std::vector<status_event> statuses;
  std::vector<provider_event> events;
  std::vector<open_chat_request> opens;
  std::vector<number_lookup> lookups;
  std::vector<chat_assignment> assignments;
  std::vector<agent_status_event> statuses_recorded;
  std::vector<chat_close> closes;
  std::vector<outbound_message> outbound;
  std::vector<send_outcome> outcomes;
  std::vector<std::string> attempts;                   // message ids, in order
  std::vector<outbound_job> outbox;                    // answered to a NUMBER's start
  std::map<std::string, std::string> chat_of_outbound; // message id -> chat id
  std::set<std::string> closed_chats;                  // assignments to these answer not_found
  int assignment_failures_left = 0; // answer this many assignments with storage_unavailable
  std::map<std::string, std::string> stored; // "number|provider id" -> message id
};

using storage_script_ptr = std::shared_ptr<storage_script>;

/// A STORAGE that dedupes like the real one and answers from a script.
storage_actor::behavior_type mock_storage(storage_actor::pointer self, storage_script_ptr s);

/// A responder that records its one answer.
class recording_responder : public responder {
 public:
  void reply(unsigned status, std::string content_type, std::string body) override;
  void fail(const caf::error& err) override;
  void reply_with(unsigned status, std::string content_type, std::string body,
                  std::vector<std::pair<std::string, std::string>>) override {
    reply(status, std::move(content_type), std::move(body));
  }

  int answers = 0;
  unsigned status = 0;
  std::string body;
  caf::error error;
};

} // namespace crm::test
