#include "domain/waiting_queue.hpp"

#include <utility>

namespace crm {

namespace {

/// Position of a priority in the serving order (URGENTE first).
int serving_rank(priority p) {
  switch (p) {
  case priority::urgente:
    return 0;
  case priority::alta:
    return 1;
  case priority::media:
    return 2;
  case priority::baja:
    return 3;
  }
  return 3;
}

} // namespace

bool waiting_queue::serving_order::operator()(const waiting_chat& a, const waiting_chat& b) const {
  auto ra = serving_rank(a.prio);
  auto rb = serving_rank(b.prio);
  if (ra != rb)
    return ra < rb;
  if (a.queued_at != b.queued_at)
    return a.queued_at < b.queued_at;
  return a.chat_id < b.chat_id;
}

// -- copy and move: the index holds iterators and views into `chats_` ----------

waiting_queue::waiting_queue(const waiting_queue& other) : chats_(other.chats_) {
  reindex();
}

waiting_queue::waiting_queue(waiting_queue&& other) noexcept {
  chats_.swap(other.chats_);
  index_.swap(other.index_);
}

waiting_queue& waiting_queue::operator=(const waiting_queue& other) {
  if (this != &other) {
    waiting_queue copy{other};
    *this = std::move(copy);
  }
  return *this;
}

waiting_queue& waiting_queue::operator=(waiting_queue&& other) noexcept {
  if (this != &other) {
    chats_.swap(other.chats_);
    index_.swap(other.index_);
    other.index_.clear();
    other.chats_.clear();
  }
  return *this;
}

void waiting_queue::reindex() {
  index_.clear();
  index_.reserve(chats_.size());
  for (auto i = chats_.begin(); i != chats_.end(); ++i)
    index_.emplace(i->chat_id, i);
}

// -- queue operations ---------------------------------------------------------

bool waiting_queue::push(waiting_chat c) {
  if (index_.count(c.chat_id) > 0)
    return false;
  auto i = chats_.insert(std::move(c)).first;
  try {
    index_.emplace(i->chat_id, i);
  } catch (...) {
    chats_.erase(i);
    throw;
  }
  return true;
}

bool waiting_queue::remove(const std::string& chat_id) {
  auto entry = index_.find(chat_id);
  if (entry == index_.end())
    return false;
  auto i = entry->second;
  index_.erase(entry); // first: its key views the element's chat_id
  chats_.erase(i);
  return true;
}

const waiting_chat* waiting_queue::find(const std::string& chat_id) const {
  auto entry = index_.find(chat_id);
  return entry == index_.end() ? nullptr : &*entry->second;
}

std::vector<waiting_chat> waiting_queue::ordered() const {
  return {chats_.begin(), chats_.end()};
}

std::optional<clock_time> waiting_queue::oldest() const {
  // The oldest chat heads its priority tier; look at the head of each of the four tiers.
  std::optional<clock_time> result;
  waiting_chat probe;
  probe.queued_at = clock_time::min();
  for (auto p : {priority::urgente, priority::alta, priority::media, priority::baja}) {
    probe.prio = p;
    auto head = chats_.lower_bound(probe);
    if (head != chats_.end() && head->prio == p && (!result || head->queued_at < *result))
      result = head->queued_at;
  }
  return result;
}

} // namespace crm
