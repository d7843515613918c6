#include "engine/cuda_transformer.h"

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "engine/cuda_model_weights.h"
#include "engine/cuda_step_plan.h"
#include "kernels/cuda/activation.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/device_info.h"
#include "kernels/cuda/embedding.h"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/logits.h"
#include "kernels/cuda/norm.h"
#include "kernels/cuda/paged_attention.h"
#include "kernels/cuda/qkv_rotary.h"

namespace qwenrt::engine {
namespace {

using bf16 = __nv_bfloat16;

// The step plan's floats start at this byte alignment after its ints, in one upload.
constexpr std::size_t kFloatAlignment = 16;

// Every public entry point selects its device first: the process may have used another in between.
void use_device(int device) { QWENRT_CUDA_CHECK(cudaSetDevice(device)); }

CudaModelWeights upload_to(int device, const model::ModelWeights& weights) {
  use_device(device);
  return upload_weights(weights);
}

// Elements of the whole cache, every layer's keys and values. Throws Error for an invalid layout.
std::size_t cache_elements(const cpu::PagedKvLayout& layout, std::size_t layers) {
  cpu::validate(layout);
  if (layout.layer_elements() > (std::size_t{1} << 62) / (2 * layers)) fail("CUDA backend: the KV cache size overflows");
  return 2 * layers * layout.layer_elements();
}

void check_shape(const model::ModelConfig& c) {
  if (!cuda::attention_supports_head_dim(c.head_dim)) {
    fail("CUDA backend: head_dim ", c.head_dim, " is not supported by its attention kernels (16, 32, 64, 128)");
  }
  if (c.num_heads / c.num_kv_heads > 16) {
    fail("CUDA backend: ", c.num_heads / c.num_kv_heads, " query heads per KV head; at most 16 are supported");
  }
}

// Device memory the CUDA context, cuBLASLt's workspace and the decode attention's scratch may still
// take after the KV cache is allocated.
constexpr std::size_t kLibraryMargin = std::size_t{512} << 20;

// Logit rows the start-up reservation covers: one per sequence of a large decode batch. Steps that
// want logits for every token (evaluation) grow the buffer.
constexpr std::size_t kReservedLogitRows = 256;

// KV blocks for options: the count asked for, or what options.memory_fraction of the device leaves
// after everything allocated so far (weights, activations) and the library margin.
std::size_t kv_block_count_for(const CudaOptions& options, std::size_t block_bytes) {
  if (options.num_blocks != 0) return options.num_blocks;
  std::size_t free = 0, total = 0;
  QWENRT_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  const double budget = options.memory_fraction * static_cast<double>(total) - static_cast<double>(total - free) -
                        static_cast<double>(kLibraryMargin);
  if (budget < static_cast<double>(block_bytes)) {
    fail("CUDA backend: no device memory is left for the KV cache: ", options.memory_fraction, " of ", total >> 20,
         " MiB allowed, ", (total - free) >> 20, " MiB already in use (weights, activations, other processes); raise "
         "--gpu-memory-utilization or lower --max-num-batched-tokens");
  }
  return static_cast<std::size_t>(budget / static_cast<double>(block_bytes));
}

}  // namespace

// Everything the transformer keeps on the GPU: the weights, the KV cache, and the buffers of one forward
// step ([tokens, width] row-major, grown as needed and reused), with the stream all work is queued on.
struct CudaTransformer::Impl {
  Impl(const LoadedModel& model, const model::ModelConfig& config, const CudaOptions& options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Queues the whole forward pass of batch; the logits of its logit rows end up in logits.
  void run(std::span<const SequenceStep> batch);
  void upload_plan();
  void layer(std::size_t l, cuda::AttentionArgs& attention, std::size_t splits);

  template <typename T>
  const T* device_range(PlanRange range, std::size_t byte_offset) const {
    return range.size == 0 ? nullptr
                           : reinterpret_cast<const T*>(plan_device.data() + byte_offset) + range.offset;
  }
  const std::int32_t* ints(PlanRange range) const { return device_range<std::int32_t>(range, 0); }
  const float* floats(PlanRange range) const { return device_range<float>(range, float_offset); }

  // Sizes every per-step buffer for tokens new tokens and logit_rows rows of logits.
  void size_buffers(std::size_t tokens, std::size_t logit_rows);
  std::size_t buffer_bytes() const;
  // Sizes the buffers for options.max_step_tokens, then counts the KV blocks the rest of the budget
  // holds: activations come first, so that a step within the limit never runs out of memory.
  std::size_t reserve_activations_then_count_blocks(const CudaOptions& options);

  const model::ModelConfig& config;
  int device;
  int multiprocessors = 0;
  cudaStream_t stream = nullptr;
  CudaModelWeights weights;
  cuda::DeviceBuffer<float> x, qkv, q, proj, cos, sin, logits, scratch;
  cuda::DeviceBuffer<bf16> h, attn, gate_up, act, selected;
  cuda::DeviceBuffer<std::int32_t> next;
  cpu::PagedKvLayout cache_layout;
  cuda::DeviceBuffer<bf16> kv;  // [layer][keys, values][cache_layout.layer_elements()]
  cuda::Gemm gemm;
  CudaStepPlanner planner;
  CudaStepPlan plan;
  std::size_t float_offset = 0;
  cuda::PinnedBuffer<std::byte> plan_staging;
  cuda::DeviceBuffer<std::byte> plan_device;
  cuda::PinnedBuffer<float> host_logits;
  cuda::PinnedBuffer<std::int32_t> host_next;
};

CudaTransformer::Impl::Impl(const LoadedModel& model, const model::ModelConfig& config_ref, const CudaOptions& options)
    : config(config_ref),
      device(options.device),
      weights(upload_to(options.device, model.weights)),
      cache_layout{options.block_size, reserve_activations_then_count_blocks(options), config_ref.num_kv_heads,
                   config_ref.head_dim},
      kv(cache_elements(cache_layout, config_ref.num_layers)),
      planner(config_ref, cache_layout) {
  QWENRT_CUDA_CHECK(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device));
  QWENRT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
}

CudaTransformer::Impl::~Impl() {
  if (stream != nullptr) {
    cudaStreamSynchronize(stream);
    cudaStreamDestroy(stream);
  }
}

void CudaTransformer::Impl::upload_plan() {
  const std::size_t int_bytes = plan.ints.size() * sizeof(std::int32_t);
  float_offset = (int_bytes + kFloatAlignment - 1) / kFloatAlignment * kFloatAlignment;
  const std::size_t total = float_offset + plan.floats.size() * sizeof(float);
  plan_staging.ensure(total);
  plan_device.ensure(total);
  std::memcpy(plan_staging.data(), plan.ints.data(), int_bytes);
  std::memcpy(plan_staging.data() + float_offset, plan.floats.data(), plan.floats.size() * sizeof(float));
  QWENRT_CUDA_CHECK(cudaMemcpyAsync(plan_device.data(), plan_staging.data(), total, cudaMemcpyHostToDevice, stream));
}

void CudaTransformer::Impl::size_buffers(std::size_t n, std::size_t logit_rows) {
  const model::ModelConfig& c = config;
  const std::size_t hidden = c.hidden_size, half = c.rotary_dim / 2;
  x.ensure(n * hidden);
  h.ensure(n * hidden);
  qkv.ensure(n * (c.q_dim() + 2 * c.kv_dim()));
  q.ensure(n * c.q_dim());
  attn.ensure(n * c.q_dim());
  proj.ensure(n * hidden);
  gate_up.ensure(n * 2 * c.intermediate_size);
  act.ensure(n * c.intermediate_size);
  cos.ensure(n * half);
  sin.ensure(n * half);
  selected.ensure(logit_rows * hidden);
  logits.ensure(logit_rows * c.vocab_size);
  next.ensure(logit_rows);
}

std::size_t CudaTransformer::Impl::buffer_bytes() const {
  std::size_t bytes = next.bytes();
  for (const auto* b : {&x, &qkv, &q, &proj, &cos, &sin, &logits, &scratch}) bytes += b->bytes();
  for (const auto* b : {&h, &attn, &gate_up, &act, &selected}) bytes += b->bytes();
  return bytes;
}

std::size_t CudaTransformer::Impl::reserve_activations_then_count_blocks(const CudaOptions& options) {
  size_buffers(options.max_step_tokens, std::min(options.max_step_tokens, kReservedLogitRows));
  const std::size_t block_bytes = 2 * config.num_layers * options.block_size * config.num_kv_heads * config.head_dim * sizeof(bf16);
  return kv_block_count_for(options, block_bytes);
}

void CudaTransformer::Impl::run(std::span<const SequenceStep> batch) {
  planner.plan(batch, plan);
  upload_plan();
  const model::ModelConfig& c = config;
  const std::size_t n = plan.tokens, hidden = c.hidden_size, half = c.rotary_dim / 2;
  const float eps = static_cast<float>(c.rms_norm_eps);
  size_buffers(n, plan.logit_rows);

  cuda::embedding_gather(stream, weights.embed_tokens.data(), hidden, ints(plan.token_ids), n, x.data());
  cuda::rotary_angles(stream, ints(plan.positions), ints(plan.token_sequence), floats(plan.inv_freq), n, half,
                      cos.data(), sin.data());
  cuda::rms_norm(stream, x.data(), weights.layers.front().input_norm.data(), n, hidden, eps, h.data());

  const std::size_t splits =
      cuda::decode_splits(plan.max_decode_context, plan.decode_count, c.num_kv_heads, multiprocessors);
  scratch.ensure(cuda::decode_scratch_floats(plan.decode_count, c.num_heads, c.head_dim, splits));
  cuda::AttentionArgs attention;
  attention.cache = {nullptr, nullptr, cache_layout.block_size, c.num_kv_heads, c.head_dim};
  attention.sequences = {ints(plan.first_token),        ints(plan.num_tokens),   ints(plan.first_position),
                         ints(plan.block_table_offset), ints(plan.block_tables), floats(plan.query_scales)};
  attention.num_heads = c.num_heads;
  attention.q = q.data();
  attention.out = attn.data();
  for (std::size_t l = 0; l < weights.layers.size(); ++l) layer(l, attention, splits);

  // Only the rows that need logits go through the LM head, the largest matrix of small models.
  cuda::gather_rows(stream, h.data(), hidden, ints(plan.logit_token), plan.logit_rows, selected.data());
  gemm.linear(stream, selected.data(), plan.logit_rows, weights.lm_head, c.vocab_size, hidden, cuda::GemmOutput::kF32,
              logits.data());
}

void CudaTransformer::Impl::layer(std::size_t l, cuda::AttentionArgs& attention, std::size_t splits) {
  const model::ModelConfig& c = config;
  const CudaLayerWeights& w = weights.layers[l];
  const std::size_t n = plan.tokens, hidden = c.hidden_size, inter = c.intermediate_size;
  const float eps = static_cast<float>(c.rms_norm_eps);
  const auto optional = [](const cuda::DeviceBuffer<float>& b) { return b.size() == 0 ? nullptr : b.data(); };

  const cuda::QkvShape shape{c.num_heads, c.num_kv_heads, c.head_dim, c.rotary_dim / 2};
  gemm.linear(stream, h.data(), n, w.qkv.data(), shape.row_width(), hidden, cuda::GemmOutput::kF32, qkv.data());
  const cuda::QkvParams params{optional(w.qkv_bias), optional(w.q_norm), optional(w.k_norm), eps, cos.data(), sin.data()};
  bf16* keys = kv.data() + 2 * l * cache_layout.layer_elements();
  bf16* values = keys + cache_layout.layer_elements();
  cuda::qkv_rotary_cache_write(stream, qkv.data(), n, shape, params, ints(plan.slots), q.data(), keys, values);

  attention.cache.keys = keys;
  attention.cache.values = values;
  cuda::paged_attention_decode(stream, attention, ints(plan.decode_sequences), plan.decode_count, splits, scratch.data());
  cuda::paged_attention_prefill(stream, attention, ints(plan.tiles), plan.prefill_tiles);
  gemm.linear(stream, attn.data(), n, w.o_proj.data(), hidden, c.q_dim(), cuda::GemmOutput::kF32, proj.data());
  cuda::add_rms_norm(stream, x.data(), proj.data(), w.post_attention_norm.data(), n, hidden, eps, h.data());

  gemm.linear(stream, h.data(), n, w.gate_up.data(), 2 * inter, hidden, cuda::GemmOutput::kBF16, gate_up.data());
  cuda::silu_mul(stream, gate_up.data(), n, inter, act.data());
  gemm.linear(stream, act.data(), n, w.down.data(), hidden, inter, cuda::GemmOutput::kF32, proj.data());
  const float* next_norm = l + 1 < weights.layers.size() ? weights.layers[l + 1].input_norm.data() : weights.final_norm.data();
  cuda::add_rms_norm(stream, x.data(), proj.data(), next_norm, n, hidden, eps, h.data());
}

CudaTransformer::CudaTransformer(const LoadedModel& model, const CudaOptions& options)
    : config_(model.config), options_(options) {
  const auto devices = cuda::list_devices();
  if (options.device < 0 || static_cast<std::size_t>(options.device) >= devices.size()) {
    fail("CUDA backend: device ", options.device, " does not exist (", devices.size(), " CUDA devices found)");
  }
  check_shape(config_);
  impl_ = std::make_unique<Impl>(model, config_, options);
  options_.num_blocks = impl_->cache_layout.num_blocks;
}

CudaTransformer::~CudaTransformer() = default;

void CudaTransformer::forward(std::span<const SequenceStep> batch, std::vector<float>& logits) {
  use_device(impl_->device);
  impl_->run(batch);
  const std::size_t count = impl_->plan.logit_rows * config_.vocab_size;
  impl_->host_logits.ensure(count);
  QWENRT_CUDA_CHECK(cudaMemcpyAsync(impl_->host_logits.data(), impl_->logits.data(), count * sizeof(float),
                                    cudaMemcpyDeviceToHost, impl_->stream));
  QWENRT_CUDA_CHECK(cudaStreamSynchronize(impl_->stream));
  logits.assign(impl_->host_logits.data(), impl_->host_logits.data() + count);
}

void CudaTransformer::forward_greedy(std::span<const SequenceStep> batch, std::vector<TokenId>& next) {
  use_device(impl_->device);
  impl_->run(batch);
  const std::size_t rows = impl_->plan.logit_rows;
  impl_->host_next.ensure(rows);
  cuda::argmax_rows(impl_->stream, impl_->logits.data(), rows, config_.vocab_size, impl_->next.data());
  QWENRT_CUDA_CHECK(cudaMemcpyAsync(impl_->host_next.data(), impl_->next.data(), rows * sizeof(std::int32_t),
                                    cudaMemcpyDeviceToHost, impl_->stream));
  QWENRT_CUDA_CHECK(cudaStreamSynchronize(impl_->stream));
  next.assign(impl_->host_next.data(), impl_->host_next.data() + rows);
}

std::size_t CudaTransformer::weight_bytes() const { return impl_->weights.bytes; }
std::size_t CudaTransformer::kv_cache_bytes() const { return impl_->kv.bytes(); }
std::size_t CudaTransformer::activation_bytes() const { return impl_->buffer_bytes(); }

}  // namespace qwenrt::engine
