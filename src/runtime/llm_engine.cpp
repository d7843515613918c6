#include "runtime/llm_engine.h"

#include <exception>
#include <future>

namespace qwenrt::runtime {

LlmEngine::LlmEngine(engine::Backend& backend, const tokenizer::Tokenizer& tokenizer,
                     std::vector<tokenizer::TokenId> eos_token_ids, SchedulerConfig config)
    : scheduler_(backend, tokenizer, std::move(eos_token_ids), config),
      thread_([this](std::stop_token stop) { loop(stop); }) {}

// The thread goes first (declared last): std::jthread asks it to stop and joins it, and then the
// scheduler ends whatever is unfinished.
LlmEngine::~LlmEngine() = default;

void LlmEngine::loop(std::stop_token stop) {
  while (!stop.stop_requested() && scheduler_.wait_for_work(stop)) {
    try {
      scheduler_.step();
    } catch (const std::exception& e) {
      // Not a failed forward pass (step() handles those) but a broken invariant or exhausted memory:
      // nothing in flight can be trusted to go on, and the engine keeps serving new requests.
      scheduler_.abort_all(e.what());
    }
  }
}

RequestResult LlmEngine::generate(std::vector<tokenizer::TokenId> prompt, const SamplingParams& params) {
  std::promise<RequestResult> done;
  std::future<RequestResult> result = done.get_future();
  submit(Request{std::move(prompt), params, [&done](const RequestUpdate& update) {
                   if (update.result != nullptr) done.set_value(*update.result);
                   return true;
                 }});
  return result.get();
}

}  // namespace qwenrt::runtime
