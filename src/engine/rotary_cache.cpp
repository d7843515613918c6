#include "engine/rotary_cache.h"

#include "kernels/cpu/qwen_v1_scaling.h"

namespace qwenrt::engine {

const cpu::RotaryEmbedding& RotaryCache::for_step(const SequenceStep& step) {
  double base = config_.rope_theta;
  if (config_.family == model::ModelFamily::kQwenV1 && config_.use_dynamic_ntk) {
    const std::size_t context =
        step.ntk_context_length != 0 ? step.ntk_context_length : step.first_position + step.tokens.size();
    const double alpha = cpu::qwen_v1_ntk_alpha(context, config_.seq_length);
    if (alpha > 1) base = cpu::qwen_v1_ntk_base(base, config_.rotary_dim, alpha);
  }
  auto it = by_base_.find(base);
  if (it == by_base_.end()) it = by_base_.emplace(base, cpu::RotaryEmbedding(config_.rotary_dim, base)).first;
  return it->second;
}

}  // namespace qwenrt::engine
