#include "core/gate/decision.h"

#include <cstdlib>

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

namespace {

template <typename Answer>
void setFlowOf(Answer& answer, const FlowEvent& event) {
  if (auto* allow = std::get_if<Allow>(&answer)) {
    allow->flow = event;
  } else if (auto* respond = std::get_if<Respond>(&answer)) {
    respond->flow = event;
  }
}

}  // namespace

namespace {

const AllowedHeaders& orNone(const std::shared_ptr<const AllowedHeaders>& headers) {
  static const AllowedHeaders kNone;
  return headers ? *headers : kNone;
}

}  // namespace

const std::vector<HeaderLine>& Allow::upstreamHeaders() const {
  return orNone(headers).upstream;
}

const std::vector<HeaderLine>& Allow::gatewayHeaders() const {
  return orNone(headers).gateway;
}

const std::vector<std::string>& Allow::removeHeaders() const {
  return orNone(headers).remove;
}

std::string_view Allow::user() const {
  return orNone(headers).user;
}

void setFlow(Decision& decision, FlowStep step, std::string_view outcome) {
  const FlowEvent event{.step = step, .outcome = outcome};
  if (auto* store = std::get_if<StoreSession>(&decision)) {
    setFlowOf(store->then, event);
  } else {
    setFlowOf(decision, event);
  }
}

std::variant<Allow, Respond> finalAnswer(Decision decision) {
  if (auto* allow = std::get_if<Allow>(&decision)) {
    return std::move(*allow);
  }
  if (auto* respond = std::get_if<Respond>(&decision)) {
    return std::move(*respond);
  }
  std::abort();  // the gate's final answers are only ever Allow or Respond
}

}  // namespace authgate::core::gate
