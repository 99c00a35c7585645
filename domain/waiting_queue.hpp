#pragma once

#include "domain/routing.hpp"

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace crm {

/// Chats waiting for an agent, served by priority (URGENTE first) then by waiting time.
/// Serving order: URGENTE, ALTA, MEDIA, BAJA; then queued_at ascending; then chat_id.
/// Push, remove and find are O(log n).
class waiting_queue {
 public:
  waiting_queue() = default;
  waiting_queue(const waiting_queue& other);
  waiting_queue(waiting_queue&& other) noexcept;
  waiting_queue& operator=(const waiting_queue& other);
  waiting_queue& operator=(waiting_queue&& other) noexcept;
  ~waiting_queue() = default;

  /// Queues the chat; false (and nothing changes) if the chat id is already queued.
  bool push(waiting_chat c);

  /// Takes the chat out of the queue; false if absent.
  bool remove(const std::string& chat_id);

  /// The queued chat with this id, or nullptr; valid until the chat is removed.
  const waiting_chat* find(const std::string& chat_id) const;

  /// The number of queued chats.
  size_t size() const { return chats_.size(); }

  /// Whether no chat waits.
  bool empty() const { return chats_.empty(); }

  /// The queued chats, in serving order.
  std::vector<waiting_chat> ordered() const;

  /// Visits in serving order until f returns false (no copies; the dispatcher's loop).
  /// @param f called as `bool f(const waiting_chat&)`.
  template <class F>
  void for_each(F f) const {
    for (const auto& c : chats_)
      if (!f(c))
        return;
  }

  /// The oldest queued_at, for the "oldest wait" metric; nullopt when empty.
  std::optional<clock_time> oldest() const;

 private:
  /// The serving order.
  struct serving_order {
    bool operator()(const waiting_chat& a, const waiting_chat& b) const;
  };

  using chat_set = std::set<waiting_chat, serving_order>;

  /// Rebuilds `index_` from `chats_`.
  void reindex();

  chat_set chats_;
  /// chat_id -> its element; the keys view the elements' own chat_id.
  std::unordered_map<std::string_view, chat_set::const_iterator> index_;
};

} // namespace crm
