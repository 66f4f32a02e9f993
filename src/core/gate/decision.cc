#include "core/gate/decision.h"

namespace authgate::core::gate {

const char* toString(FlowStep step) {
  switch (step) {
    case FlowStep::None:
      return "none";
    case FlowStep::Login:
      return "login";
    case FlowStep::Callback:
      return "callback";
    case FlowStep::Refresh:
      return "refresh";
    case FlowStep::SignOut:
      return "sign_out";
  }
  return "none";
}

void setFlow(Decision& decision, FlowStep step, std::string_view outcome) {
  const FlowEvent event{.step = step, .outcome = outcome};
  if (auto* allow = std::get_if<Allow>(&decision)) {
    allow->flow = event;
  } else if (auto* respond = std::get_if<Respond>(&decision)) {
    respond->flow = event;
  }
}

}  // namespace authgate::core::gate
