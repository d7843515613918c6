#include "server/choice_group.h"

#include <atomic>
#include <mutex>

#include "core/error.h"
#include "server/api_error.h"

namespace qwenrt::server {
namespace {

class ChoiceGroup {
 public:
  ChoiceGroup(std::shared_ptr<ApiContext> context, std::shared_ptr<ChoiceSink> sink,
              std::shared_ptr<HttpResponder> responder, std::size_t choices)
      : context_(std::move(context)),
        sink_(std::move(sink)),
        responder_(std::move(responder)),
        results_(choices),
        expected_(choices) {}

  void set_handle(std::uint64_t handle) { handle_ = handle; }

  void submitted(runtime::RequestId id) {
    const std::lock_guard lock(mutex_);
    ids_.push_back(id);
  }

  void cancel() {
    std::vector<runtime::RequestId> ids;
    {
      const std::lock_guard lock(mutex_);
      ids = ids_;
    }
    for (const runtime::RequestId id : ids) context_->engine.cancel(id);
  }

  // The plan at index submitted could not be submitted: the rest never will be.
  void abandon(std::size_t submitted) {
    abandoned_ = true;
    bool done = false;
    {
      const std::lock_guard lock(mutex_);
      context_->in_flight.remove(handle_, expected_ - submitted);
      expected_ = submitted;
      done = finished_ == expected_;
    }
    if (!done) cancel();
  }

  // Engine thread.
  bool on_update(std::size_t choice, const runtime::RequestUpdate& update) {
    if (!abandoned_) sink_->on_update(choice, update);
    if (update.result == nullptr) return !responder_->disconnected();
    context_->metrics.record(*update.result);
    context_->in_flight.choice_done();
    results_[choice] = *update.result;
    bool last = false;
    {
      const std::lock_guard lock(mutex_);
      last = ++finished_ == expected_;
    }
    if (last) {
      context_->in_flight.remove(handle_);
      if (!abandoned_) sink_->on_finished(std::move(results_));
    }
    return true;
  }

 private:
  std::shared_ptr<ApiContext> context_;
  std::shared_ptr<ChoiceSink> sink_;
  std::shared_ptr<HttpResponder> responder_;
  std::vector<runtime::RequestResult> results_;  // engine thread only
  std::uint64_t handle_ = 0;
  std::atomic<bool> abandoned_{false};
  std::mutex mutex_;
  std::vector<runtime::RequestId> ids_;
  std::size_t expected_;
  std::size_t finished_ = 0;
};

}  // namespace

void start_choices(const std::shared_ptr<ApiContext>& context, std::vector<ChoicePlan> plans,
                   std::shared_ptr<ChoiceSink> sink, const std::shared_ptr<HttpResponder>& responder) {
  auto group = std::make_shared<ChoiceGroup>(context, std::move(sink), responder, plans.size());
  const std::weak_ptr<ChoiceGroup> weak = group;
  const auto cancel = [weak] {
    if (const auto g = weak.lock()) g->cancel();
  };
  group->set_handle(context->in_flight.add(plans.size(), cancel));
  for (std::size_t i = 0; i < plans.size(); ++i) {
    runtime::Request request{std::move(plans[i].prompt), std::move(plans[i].params),
                             [group, i](const runtime::RequestUpdate& update) { return group->on_update(i, update); }};
    try {
      group->submitted(context->engine.submit(std::move(request)));
    } catch (const Error& e) {
      group->abandon(i);
      throw ApiError(400, e.what());
    }
  }
  responder->on_disconnect(cancel);
}

}  // namespace qwenrt::server
