#include "runtime/scheduler.h"

#include <algorithm>
#include <bit>
#include <chrono>

#include "core/error.h"
#include "kernels/cpu/qwen_v1_scaling.h"

namespace qwenrt::runtime {

void SchedulerConfig::validate() const {
  if (max_num_seqs == 0) fail("max_num_seqs: must be at least 1, got 0");
  if (max_num_batched_tokens < max_num_seqs) {
    fail("max_num_batched_tokens: must be at least max_num_seqs (", max_num_seqs, "), got ", max_num_batched_tokens);
  }
  if (!(kv_watermark >= 0 && kv_watermark < 1)) fail("kv_watermark: must be in [0, 1), got ", kv_watermark);
}

namespace {

const SchedulerConfig& validated(const SchedulerConfig& config) {
  config.validate();
  return config;
}

}  // namespace

Scheduler::Scheduler(engine::Backend& backend, const tokenizer::Tokenizer& tokenizer,
                     std::vector<tokenizer::TokenId> eos_token_ids, SchedulerConfig config)
    : backend_(backend),
      tokenizer_(tokenizer),
      eos_token_ids_(std::move(eos_token_ids)),
      config_(validated(config)),
      context_length_(std::min(backend.kv_block_count() * backend.kv_block_size(),
                               backend.config().max_position_embeddings)),
      watermark_blocks_(static_cast<std::size_t>(config.kv_watermark * static_cast<double>(backend.kv_block_count()))),
      blocks_(backend.kv_block_count(), backend.kv_block_size()) {
  publish_stats(0, 0);
}

Scheduler::~Scheduler() { end_all(FinishReason::kCancelled, {}); }

RequestId Scheduler::submit(Request request) {
  request.params.validate();
  const std::vector<tokenizer::TokenId>& prompt = request.prompt;
  if (prompt.empty()) fail("request: the prompt has no tokens");
  const std::size_t vocab = backend_.config().vocab_size;
  for (std::size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] < 0 || static_cast<std::size_t>(prompt[i]) >= vocab) {
      fail("request: prompt token ", i, " is ", prompt[i], ", outside the vocabulary [0, ", vocab, ")");
    }
  }
  if (prompt.size() >= context_length_) {
    fail("request: the prompt has ", prompt.size(), " tokens, but the context holds ", context_length_,
         " (prompt plus generated tokens): shorten it or raise the context length");
  }
  const std::size_t max_new = std::min(request.params.max_new_tokens.value_or(context_length_), context_length_ - prompt.size());
  const std::size_t prompt_tokens = prompt.size();
  const RequestId id = next_id_++;
  if (request.params.json_object) {
    std::call_once(json_vocabulary_once_, [&] { json_vocabulary_ = std::make_shared<const JsonVocabulary>(tokenizer_); });
  }
  auto state = std::make_unique<RequestState>(id, std::move(request), tokenizer_, eos_token_ids_, max_new,
                                              kv_salt(prompt_tokens), prompt_tokens, json_vocabulary_);
  {
    const std::lock_guard lock(inbox_mutex_);
    // Counted before step() can see the request: admitted first, the count would wrap below zero
    // for a moment and the server would read it as a full queue.
    ++queued_;
    submitted_.push_back(std::move(state));
  }
  inbox_ready_.notify_one();
  return id;
}

void Scheduler::cancel(RequestId id) {
  {
    const std::lock_guard lock(inbox_mutex_);
    cancelled_.push_back(id);
  }
  inbox_ready_.notify_one();
}

SchedulerStats Scheduler::stats() const {
  const std::lock_guard lock(stats_mutex_);
  return stats_;
}

bool Scheduler::wait_for_work(std::stop_token stop) {
  std::unique_lock lock(inbox_mutex_);
  return inbox_ready_.wait(lock, stop, [&] {
    return !submitted_.empty() || !cancelled_.empty() || !running_.empty() || !waiting_.empty();
  });
}

bool Scheduler::step() {
  const auto start = std::chrono::steady_clock::now();
  take_inbox();
  schedule();
  peak_used_blocks_ = std::max(peak_used_blocks_, blocks_.total_blocks() - blocks_.free_blocks());
  std::size_t sequences = 0, tokens = 0;
  for (const auto& r : running_) {
    sequences += r->step_tokens() > 0 ? 1 : 0;
    tokens += r->step_tokens();
  }
  if (sequences > 0) {
    run_batch();
    ++steps_;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    step_seconds_ += seconds;
    step_profile_.add(sequences, tokens, seconds);
  }
  publish_stats(sequences, tokens);
  return sequences > 0;
}

void Scheduler::abort_all(std::string_view message) { end_all(FinishReason::kError, message); }

void Scheduler::end_all(FinishReason reason, std::string_view message) {
  take_inbox();
  while (!running_.empty()) {
    running_.back()->finish(reason, std::string(message));
    retire(*running_.back());
  }
  for (auto& r : waiting_) r->finish(reason, std::string(message));
  queued_ -= waiting_.size();
  waiting_.clear();
  publish_stats(0, 0);
}

void Scheduler::take_inbox() {
  std::vector<std::unique_ptr<RequestState>> submitted;
  std::vector<RequestId> cancelled;
  {
    const std::lock_guard lock(inbox_mutex_);
    submitted.swap(submitted_);
    cancelled.swap(cancelled_);
  }
  for (auto& r : submitted) waiting_.push_back(std::move(r));
  for (const RequestId id : cancelled) {
    const auto has_id = [id](const std::unique_ptr<RequestState>& r) { return r->id() == id; };
    if (const auto it = std::find_if(running_.begin(), running_.end(), has_id); it != running_.end()) {
      (*it)->finish(FinishReason::kCancelled);
      retire(**it);
    } else if (const auto w = std::find_if(waiting_.begin(), waiting_.end(), has_id); w != waiting_.end()) {
      (*w)->finish(FinishReason::kCancelled);
      waiting_.erase(w);
      --queued_;
    }
  }
}

void Scheduler::schedule() {
  std::size_t budget = config_.max_num_batched_tokens;
  const std::uint64_t preemptions_before = preemptions_;
  schedule_decodes(budget);
  schedule_prefill_chunks(budget);
  // As in vLLM: a step that had to preempt admits no one, or the newcomers would be preempted next.
  if (preemptions_ == preemptions_before) admit_waiting(budget);
}

void Scheduler::schedule_decodes(std::size_t& budget) {
  // budget >= max_num_seqs >= running_.size(), so every running request's token fits.
  for (std::size_t i = 0; i < running_.size();) {
    RequestState& r = *running_[i];
    if (r.pending_tokens() != 1) {
      ++i;
    } else if (make_room(r, r.computed_tokens() + 1)) {
      r.schedule(1);
      --budget;
      ++i;
    }  // else r was preempted and running_[i] is the next one
  }
}

std::size_t Scheduler::room_for(const RequestState& request) const {
  const std::size_t slots = (blocks_.block_table(request.id()).size() + blocks_.free_blocks()) * blocks_.block_size();
  return slots - request.computed_tokens();
}

void Scheduler::schedule_prefill_chunks(std::size_t& budget) {
  for (std::size_t i = 0; i < running_.size() && budget > 0;) {
    RequestState& r = *running_[i];
    if (r.step_tokens() > 0) {
      ++i;
      continue;
    }
    // Take what the free blocks hold rather than preempt; preempt only to move at all.
    if (room_for(r) == 0 && !make_room(r, r.computed_tokens() + 1)) continue;
    const std::size_t count = std::min({r.pending_tokens(), budget, room_for(r)});
    blocks_.reserve(r.id(), r.computed_tokens() + count);
    r.schedule(count);
    budget -= count;
    ++i;
  }
}

void Scheduler::admit_waiting(std::size_t& budget) {
  while (!waiting_.empty() && budget > 0 && running_.size() < config_.max_num_seqs) {
    RequestState& r = *waiting_.front();
    // Without prefix caching nothing is ever committed, so nothing is found.
    const CachedPrefix prefix = blocks_.find_cached_prefix(r.tokens(), r.kv_salt());
    // Adopting idle cached blocks takes them off the free count too.
    const std::size_t keep_free = prefix.idle_blocks + (running_.empty() ? 0 : watermark_blocks_);
    if (blocks_.free_blocks() <= keep_free) break;
    const std::size_t spare_tokens = (blocks_.free_blocks() - keep_free) * blocks_.block_size();
    const std::size_t count = std::min({r.tokens().size() - prefix.tokens, budget, spare_tokens});
    const std::size_t cached = blocks_.open(r.id(), r.tokens(), r.kv_salt());
    blocks_.reserve(r.id(), cached + count);
    if (r.preemptions() == 0) {
      prompt_tokens_ += r.tokens().size();
      cached_prompt_tokens_ += cached;
    }
    r.admit(cached);
    r.schedule(count);
    budget -= count;
    running_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
    --queued_;
  }
}

bool Scheduler::make_room(RequestState& request, std::size_t tokens) {
  while (!blocks_.reserve(request.id(), tokens)) {
    // The newest request not yet in this step; request itself at the latest.
    auto victim = running_.end();
    while ((*std::prev(victim))->step_tokens() > 0) --victim;
    RequestState& v = **std::prev(victim);
    preempt(v);
    if (&v == &request) return false;
  }
  return true;
}

void Scheduler::preempt(RequestState& request) {
  blocks_.release(request.id());
  request.preempt();
  const auto it = std::find_if(running_.begin(), running_.end(), [&](const auto& r) { return r.get() == &request; });
  waiting_.push_front(std::move(*it));
  running_.erase(it);
  ++queued_;
  ++preemptions_;
}

void Scheduler::retire(RequestState& request) {
  blocks_.release(request.id());
  running_.erase(std::find_if(running_.begin(), running_.end(), [&](const auto& r) { return r.get() == &request; }));
}

void Scheduler::run_batch() {
  std::vector<engine::SequenceStep> batch;
  std::vector<RequestState*> members;
  for (const auto& r : running_) {
    if (r->step_tokens() == 0) continue;
    batch.push_back({r->tokens().subspan(r->computed_tokens(), r->step_tokens()), r->computed_tokens(),
                     blocks_.block_table(r->id()), false, r->ntk_context_length()});
    members.push_back(r.get());
  }
  // A backend that samples on its device gets a row per member (a prompt chunk with more to come
  // samples nothing: its row is a greedy placeholder) and sends back ids, plus the logits of the rows
  // that the host samples itself; any other backend sends every row of logits.
  const bool on_device = backend_.samples_on_device();
  sampling_rows_.clear();
  if (on_device) {
    for (RequestState* r : members) {
      sampling_rows_.push_back(r->step_tokens() == r->pending_tokens() ? r->device_sampling() : engine::TokenSampling{});
    }
  }
  const auto forward_start = std::chrono::steady_clock::now();
  try {
    if (on_device) {
      backend_.forward_sampled(batch, sampling_rows_, sampled_, logits_);
    } else {
      backend_.forward(batch, logits_);
    }
    forward_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - forward_start).count();
  } catch (const std::exception& e) {
    for (RequestState* r : members) {
      r->finish(FinishReason::kError, str_cat("the forward step failed: ", e.what()));
      retire(*r);
    }
    return;
  }
  const std::size_t vocab = backend_.config().vocab_size;
  std::size_t logit_row = 0;
  for (std::size_t s = 0; s < members.size(); ++s) {
    RequestState& r = *members[s];
    r.step_done();
    if (config_.prefix_caching) blocks_.commit(r.id(), r.tokens().first(r.computed_tokens()));
    if (r.pending_tokens() > 0) continue;  // a prompt chunk, with more to come
    const std::size_t before = r.tokens().size();
    bool finished = true;
    try {
      if (!on_device) {
        finished = r.sample_next(std::span<const float>(logits_).subspan(s * vocab, vocab));
      } else {
        std::span<const float> host_row;
        if (sampled_[s] == engine::kSampledNoToken) host_row = std::span<const float>(logits_).subspan(logit_row++ * vocab, vocab);
        finished = r.take_device_choice(sampled_[s], host_row);
      }
    } catch (const std::exception& e) {
      r.finish(FinishReason::kError, e.what());
    }
    generated_tokens_ += r.tokens().size() - before;
    if (finished) retire(r);
  }
}

std::uint64_t Scheduler::kv_salt(std::size_t prompt_tokens) const {
  // Qwen v1's dynamic NTK fixes the rotary base from the prompt's length (engine::SequenceStep), so
  // equal tokens get different keys under different bases. Everywhere else the keys depend on the
  // tokens and positions alone.
  const model::ModelConfig& c = backend_.config();
  if (c.family != model::ModelFamily::kQwenV1 || !c.use_dynamic_ntk) return 0;
  const double alpha = cpu::qwen_v1_ntk_alpha(prompt_tokens, c.seq_length);
  return alpha > 1 ? std::bit_cast<std::uint64_t>(alpha) : 0;
}

void Scheduler::publish_stats(std::size_t step_sequences, std::size_t step_tokens) {
  const std::lock_guard lock(stats_mutex_);
  stats_.waiting = waiting_.size();
  stats_.running = running_.size();
  stats_.total_blocks = blocks_.total_blocks();
  stats_.free_blocks = blocks_.free_blocks();
  stats_.cached_blocks = blocks_.cached_blocks();
  stats_.steps = steps_;
  stats_.preemptions = preemptions_;
  stats_.evictions = blocks_.evictions();
  stats_.prompt_tokens = prompt_tokens_;
  stats_.cached_prompt_tokens = cached_prompt_tokens_;
  stats_.generated_tokens = generated_tokens_;
  stats_.peak_used_blocks = peak_used_blocks_;
  stats_.step_seconds = step_seconds_;
  stats_.forward_seconds = forward_seconds_;
  stats_.step_profile = step_profile_;
  stats_.last_step_sequences = step_sequences;
  stats_.last_step_tokens = step_tokens;
}

}  // namespace qwenrt::runtime
