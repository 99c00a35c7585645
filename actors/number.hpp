#pragma once

#include "actors/interfaces.hpp"

#include <cstdint>

namespace crm {

/// State of one NUMBER. Until the provider clients exist (the WhatsApp issue), a number
/// completes sends through a local stand-in: the message is taken at once under a
/// `standin.` provider id, so the whole outbound path (store, hand over, record, push)
/// runs for real.
struct number_state {
  static inline const char* name = "number";
  number_state() = default;

  number_profile profile;
  std::uint64_t sent = 0;
};

/// The behaviour of a NUMBER started from its stored profile.
number_actor::behavior_type number(number_actor::stateful_pointer<number_state> self,
                                   number_profile profile);

} // namespace crm
