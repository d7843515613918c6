#include "engine/cpu_transformer.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/cpu/activation.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/paged_attention.h"
#include "kernels/cpu/qwen_v1_scaling.h"

namespace qwenrt::engine {
namespace {

cpu::WeightMatrix matrix_of(const model::TensorView& t) {
  return {t.dtype, t.data, t.rows(), t.row_elements()};
}

std::vector<float> floats_of(const std::optional<model::TensorView>& t) {
  return t ? model::to_float(*t) : std::vector<float>{};
}

}  // namespace

// Buffers of one forward step, [tokens, width] row-major; grown as needed and reused across steps.
struct CpuTransformer::Activations {
  std::vector<float> x, h, q, k, v, attn, proj, gate, up, selected;
  std::vector<TokenId> tokens;
  std::vector<std::int32_t> positions;
  std::vector<float> query_scales;
  std::vector<cpu::RotaryAngles> angles;  // one per sequence
  std::vector<cpu::AttentionSequence> sequences;
};

CpuTransformer::CpuTransformer(const LoadedModel& model, ThreadPool& pool, const CpuCacheOptions& cache)
    : config_(model.config),
      pool_(pool),
      embed_tokens_(matrix_of(model.weights.embed_tokens)),
      lm_head_(matrix_of(model.weights.lm_head)),
      final_norm_(model::to_float(model.weights.final_norm)),
      kv_(cpu::PagedKvLayout{cache.block_size, cache.num_blocks, model.config.num_kv_heads, model.config.head_dim},
          model.config.num_layers),
      rotary_(model.config),
      activations_(std::make_unique<Activations>()) {
  for (const model::LayerWeights& w : model.weights.layers) {
    layers_.push_back(Layer{
        model::to_float(w.input_norm), model::to_float(w.post_attention_norm), floats_of(w.q_norm), floats_of(w.k_norm),
        floats_of(w.q_bias), floats_of(w.k_bias), floats_of(w.v_bias), matrix_of(w.q_proj), matrix_of(w.k_proj),
        matrix_of(w.v_proj), matrix_of(w.o_proj), matrix_of(w.gate_proj), matrix_of(w.up_proj), matrix_of(w.down_proj)});
  }
}

CpuTransformer::~CpuTransformer() = default;

void CpuTransformer::forward(std::span<const SequenceStep> batch, std::vector<float>& logits) {
  Activations& a = *activations_;
  const std::size_t hidden = config_.hidden_size;
  a.tokens.clear();
  a.positions.clear();
  a.sequences.clear();
  a.angles.resize(batch.size());
  for (std::size_t s = 0; s < batch.size(); ++s) {
    const SequenceStep& step = batch[s];
    if (step.tokens.empty()) fail("forward: sequence ", s, " of the batch has no tokens");
    a.tokens.insert(a.tokens.end(), step.tokens.begin(), step.tokens.end());
    std::vector<std::int32_t> positions(step.tokens.size());
    for (std::size_t t = 0; t < positions.size(); ++t) positions[t] = static_cast<std::int32_t>(step.first_position + t);
    a.positions.insert(a.positions.end(), positions.begin(), positions.end());
    rotary_.for_step(step).compute_angles(positions, a.angles[s]);
    a.sequences.push_back({step.block_table, step.first_position, step.tokens.size()});
  }
  const std::size_t n = a.tokens.size();
  a.query_scales.clear();
  if (config_.family == model::ModelFamily::kQwenV1 && config_.use_logn_attn) {
    for (std::int32_t p : a.positions) a.query_scales.push_back(cpu::qwen_v1_logn_scale(static_cast<std::size_t>(p), config_.seq_length));
  }

  a.x.resize(n * hidden);
  a.h.resize(n * hidden);
  cpu::embedding_lookup(embed_tokens_, a.tokens, a.x);
  cpu::rms_norm(pool_, a.x, layers_.front().input_norm, static_cast<float>(config_.rms_norm_eps), a.h);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    attention_block(l, batch, a);
    mlp_block(l, a);
  }

  // Only the rows that need logits go through the LM head, the largest matrix of small models.
  const std::size_t rows = logit_rows(batch);
  a.selected.resize(rows * hidden);
  std::size_t token = 0, row = 0;
  for (const SequenceStep& step : batch) {
    const std::size_t first = step.logits_for_every_token ? token : token + step.tokens.size() - 1;
    const std::size_t count = token + step.tokens.size() - first;
    std::copy_n(a.h.begin() + static_cast<std::ptrdiff_t>(first * hidden), count * hidden,
                a.selected.begin() + static_cast<std::ptrdiff_t>(row * hidden));
    row += count;
    token += step.tokens.size();
  }
  logits.resize(rows * config_.vocab_size);
  cpu::matmul(pool_, rows, a.selected, lm_head_, {}, logits);
}

void CpuTransformer::attention_block(std::size_t l, std::span<const SequenceStep> batch, Activations& a) {
  const Layer& w = layers_[l];
  const std::size_t n = a.tokens.size();
  const std::size_t q_dim = config_.q_dim(), kv_dim = config_.kv_dim(), head_dim = config_.head_dim;
  const float eps = static_cast<float>(config_.rms_norm_eps);
  a.q.resize(n * q_dim);
  a.k.resize(n * kv_dim);
  a.v.resize(n * kv_dim);
  cpu::matmul(pool_, n, a.h, w.q_proj, w.q_bias, a.q);
  cpu::matmul(pool_, n, a.h, w.k_proj, w.k_bias, a.k);
  cpu::matmul(pool_, n, a.h, w.v_proj, w.v_bias, a.v);
  if (config_.qk_norm) {
    cpu::rms_norm(pool_, a.q, w.q_norm, eps, a.q);
    cpu::rms_norm(pool_, a.k, w.k_norm, eps, a.k);
  }
  const cpu::KvLayer cache = kv_.layer(l);
  std::size_t token = 0;
  for (std::size_t s = 0; s < batch.size(); ++s) {
    const std::size_t count = batch[s].tokens.size();
    const std::span<float> q(a.q.data() + token * q_dim, count * q_dim);
    const std::span<float> k(a.k.data() + token * kv_dim, count * kv_dim);
    cpu::apply_rotary(pool_, a.angles[s], q, config_.num_heads, head_dim);
    cpu::apply_rotary(pool_, a.angles[s], k, config_.num_kv_heads, head_dim);
    cpu::kv_cache_write(cache, batch[s].block_table, batch[s].first_position, k,
                        std::span<const float>(a.v.data() + token * kv_dim, count * kv_dim));
    token += count;
  }
  a.attn.resize(n * q_dim);
  cpu::paged_attention(pool_, cache, a.sequences, config_.num_heads, a.q, a.query_scales, a.attn);
  a.proj.resize(n * config_.hidden_size);
  cpu::matmul(pool_, n, a.attn, w.o_proj, {}, a.proj);
  cpu::add_rms_norm(pool_, a.x, a.proj, w.post_attention_norm, eps, a.h);
}

void CpuTransformer::mlp_block(std::size_t l, Activations& a) {
  const Layer& w = layers_[l];
  const std::size_t n = a.tokens.size();
  const std::size_t inter = config_.intermediate_size;
  a.gate.resize(n * inter);
  a.up.resize(n * inter);
  cpu::matmul(pool_, n, a.h, w.gate_proj, {}, a.gate);
  cpu::matmul(pool_, n, a.h, w.up_proj, {}, a.up);
  cpu::silu_mul(pool_, a.gate, a.up, a.gate);
  cpu::matmul(pool_, n, a.gate, w.down_proj, {}, a.proj);
  const std::vector<float>& next_norm = l + 1 < layers_.size() ? layers_[l + 1].input_norm : final_norm_;
  cpu::add_rms_norm(pool_, a.x, a.proj, next_norm, static_cast<float>(config_.rms_norm_eps), a.h);
}

}  // namespace qwenrt::engine
