// One API request's choices in the engine: n runtime requests (n choices, times the prompts of a legacy
// completion) submitted together, their updates handed to the response being written, and their
// results gathered once the last has finished. The client's disconnect, or shutdown, cancels them all.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "runtime/request.h"
#include "server/api_context.h"
#include "server/http_exchange.h"

namespace qwenrt::server {

struct ChoicePlan {
  std::vector<tokenizer::TokenId> prompt;
  runtime::SamplingParams params;
};

// The response being written: called on the engine thread, never concurrently.
class ChoiceSink {
 public:
  virtual ~ChoiceSink() = default;
  // One step's news for choice i (the last one carries its result).
  virtual void on_update(std::size_t choice, const runtime::RequestUpdate& update) = 0;
  // Every choice has finished: their results in choice order.
  virtual void on_finished(std::vector<runtime::RequestResult> results) = 0;
};

// Submits every plan. When the engine refuses one (it checks what the API has checked already, so this
// is a safeguard), those submitted are cancelled, the sink hears nothing more and ApiError 400 is thrown.
void start_choices(const std::shared_ptr<ApiContext>& context, std::vector<ChoicePlan> plans,
                   std::shared_ptr<ChoiceSink> sink, const std::shared_ptr<HttpResponder>& responder);

}  // namespace qwenrt::server
