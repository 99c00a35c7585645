#pragma once

#include "actors/number.hpp"

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace crm {

/// How NUMBERS builds what each NUMBER needs (the composition root knows the secrets key
/// and the provider clients; actors/ does not).
struct number_factory {
  /// The provider client of a number, or null when it cannot send.
  std::function<provider_client_ptr(const number_profile&)> client;
  /// The NUMBER's settings (rate from the profile, retries from configuration).
  std::function<number_options(const number_profile&)> options;
};

/// State of NUMBERS: the live NUMBER of every active number.
struct number_pool_state {
  static inline const char* name = "numbers";
  number_pool_state() = default;

  /// Spawns the NUMBER of a profile.
  void start(actor_pointer<number_pool_actor, number_pool_state> self,
             const number_profile& profile);

  storage_actor storage;
  number_factory factory;
  chat_registry_actor registry;
  std::unordered_map<std::string, number_actor> numbers;
};

/// The behaviour of NUMBERS, starting a NUMBER for each of `profiles`.
number_pool_actor::behavior_type
number_pool(actor_pointer<number_pool_actor, number_pool_state> self,
            std::vector<number_profile> profiles, storage_actor storage, number_factory factory);

} // namespace crm
