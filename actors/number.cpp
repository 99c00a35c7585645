#include "actors/number.hpp"

#include "domain/error.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace crm {

number_actor::behavior_type number(number_actor::stateful_pointer<number_state> self,
                                   number_profile profile) {
  self->state.profile = std::move(profile);
  return {
      [self](const send_request& req) -> caf::result<send_receipt> {
        if (req.to.empty())
          return make_error(ec::invalid_input, "a send needs the debtor's phone");
        ++self->state.sent;
        return send_receipt{"standin." + req.id.value};
      },
  };
}

} // namespace crm
