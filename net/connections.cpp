#include "net/connections.hpp"

#include "net/http_session.hpp"
#include "net/websocket_session.hpp"

#include <algorithm>

namespace crm::net {

template <class T>
void connections::prune(std::vector<std::weak_ptr<T>>& v) {
  // Amortised: only when the list has doubled since the last sweep would it matter.
  if (v.size() < 64 || (v.size() & (v.size() - 1)) != 0)
    return;
  v.erase(std::remove_if(v.begin(), v.end(), [](auto& w) { return w.expired(); }), v.end());
}

void connections::add(const std::shared_ptr<http_session>& s) {
  std::lock_guard lock{mutex_};
  prune(http_);
  http_.push_back(s);
}

void connections::add(const std::shared_ptr<websocket_session>& s) {
  std::lock_guard lock{mutex_};
  prune(ws_);
  ws_.push_back(s);
}

void connections::drain() {
  draining_ = true;
  std::vector<std::shared_ptr<http_session>> live;
  {
    std::lock_guard lock{mutex_};
    for (auto& w : http_)
      if (auto s = w.lock())
        live.push_back(std::move(s));
    http_.clear();
  }
  for (auto& s : live)
    s->drain();
}

void connections::close_websockets(const std::string& reason) {
  std::vector<std::shared_ptr<websocket_session>> live;
  {
    std::lock_guard lock{mutex_};
    for (auto& w : ws_)
      if (auto s = w.lock())
        live.push_back(std::move(s));
  }
  for (auto& s : live)
    s->going_away(reason);
}

std::size_t connections::open_websockets() {
  std::lock_guard lock{mutex_};
  return std::count_if(ws_.begin(), ws_.end(), [](auto& w) { return !w.expired(); });
}

} // namespace crm::net
