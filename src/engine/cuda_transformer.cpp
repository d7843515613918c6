#include "engine/cuda_transformer.h"

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "engine/cuda_decode_graphs.h"
#include "engine/cuda_model_weights.h"
#include "engine/cuda_step_plan.h"
#include "engine/cuda_token_sampler.h"
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
#include "kernels/cuda/small_m_linear.h"

namespace qwenrt::engine {
namespace {

using bf16 = __nv_bfloat16;

// The step plan's ints start at this byte alignment after its floats, in one upload. The floats come
// first because their count depends only on the numbers of tokens and sequences (see CudaStepPlan).
constexpr std::size_t kIntAlignment = 16;

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

  // Queues the whole forward pass of batch (from a CUDA graph where it can); the logits of its logit
  // rows end up in logits.
  void run(std::span<const SequenceStep> batch);
  void upload_plan();
  // Queues the kernels of the planned step.
  void enqueue(std::size_t splits);
  void layer(std::size_t l, cuda::AttentionArgs& attention, std::size_t splits);
  // Whether the planned step can replay a decode graph, and what its kernels' arguments point to.
  bool graph_step() const;
  std::vector<std::uintptr_t> graph_signature(std::size_t splits) const;

  template <typename T>
  const T* device_range(PlanRange range, std::size_t byte_offset) const {
    return range.size == 0 ? nullptr
                           : reinterpret_cast<const T*>(plan_device.data() + byte_offset) + range.offset;
  }
  const std::int32_t* ints(PlanRange range) const { return device_range<std::int32_t>(range, int_offset); }
  const float* floats(PlanRange range) const { return device_range<float>(range, 0); }

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
  cuda::DeviceBuffer<float> x, qkv, q, cos, sin, logits, scratch;
  cuda::DeviceBuffer<bf16> h, attn, gate_up, act, selected;
  cpu::PagedKvLayout cache_layout;
  cuda::DeviceBuffer<bf16> kv;  // [layer][keys, values][cache_layout.layer_elements()]
  cuda::Gemm gemm;
  CudaStepPlanner planner;
  CudaStepPlan plan;
  std::size_t int_offset = 0;
  cuda::PinnedBuffer<std::byte> plan_staging;
  cuda::DeviceBuffer<std::byte> plan_device;
  cuda::PinnedBuffer<float> host_logits;
  bool use_graphs;
  DecodeGraphCache graphs;
  CudaTokenSampler sampler;
};

CudaTransformer::Impl::Impl(const LoadedModel& model, const model::ModelConfig& config_ref, const CudaOptions& options)
    : config(config_ref),
      device(options.device),
      weights(upload_to(options.device, model.weights)),
      cache_layout{options.block_size, reserve_activations_then_count_blocks(options), config_ref.num_kv_heads,
                   config_ref.head_dim},
      kv(cache_elements(cache_layout, config_ref.num_layers)),
      planner(config_ref, cache_layout),
      use_graphs(options.cuda_graphs) {
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
  const std::size_t float_bytes = plan.floats.size() * sizeof(float);
  int_offset = (float_bytes + kIntAlignment - 1) / kIntAlignment * kIntAlignment;
  const std::size_t total = int_offset + plan.ints.size() * sizeof(std::int32_t);
  plan_staging.ensure(total);
  plan_device.ensure(total);
  std::memcpy(plan_staging.data(), plan.floats.data(), float_bytes);
  std::memcpy(plan_staging.data() + int_offset, plan.ints.data(), plan.ints.size() * sizeof(std::int32_t));
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
  gate_up.ensure(n * 2 * c.intermediate_size);
  act.ensure(n * c.intermediate_size);
  cos.ensure(n * half);
  sin.ensure(n * half);
  selected.ensure(logit_rows * hidden);
  logits.ensure(logit_rows * c.vocab_size);
}

std::size_t CudaTransformer::Impl::buffer_bytes() const {
  std::size_t bytes = 0;
  for (const auto* b : {&x, &qkv, &q, &cos, &sin, &logits, &scratch}) bytes += b->bytes();
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
  size_buffers(plan.tokens, plan.logit_rows);
  const std::size_t splits = cuda::decode_splits(plan.decode_count, config.num_kv_heads, multiprocessors);
  scratch.ensure(cuda::decode_scratch_floats(plan.decode_count, config.num_heads, config.head_dim, splits));
  upload_plan();
  if (graph_step()) {
    graphs.run(stream, plan.sequences, graph_signature(splits), [&] { enqueue(splits); });
  } else {
    enqueue(splits);
  }
}

bool CudaTransformer::Impl::graph_step() const {
  return use_graphs && plan.prefill_tiles == 0 && plan.tokens == plan.sequences && plan.logit_rows == plan.sequences;
}

// Two decode steps of as many sequences differ only in the contents of the plan, never in where its
// arrays sit, as long as no buffer has moved: the buffers' addresses and the plan's layout (all but
// the length of the block tables, which come last) are what a graph depends on.
std::vector<std::uintptr_t> CudaTransformer::Impl::graph_signature(std::size_t splits) const {
  std::vector<std::uintptr_t> signature = {reinterpret_cast<std::uintptr_t>(plan_device.data()), int_offset, splits};
  for (const PlanRange* r : {&plan.token_ids, &plan.positions, &plan.token_sequence, &plan.slots, &plan.logit_token,
                             &plan.first_token, &plan.num_tokens, &plan.first_position, &plan.block_table_offset,
                             &plan.decode_sequences, &plan.tiles, &plan.inv_freq, &plan.query_scales}) {
    signature.push_back(r->offset);
    signature.push_back(r->size);
  }
  signature.push_back(plan.block_tables.offset);
  for (const void* p : {static_cast<const void*>(x.data()), static_cast<const void*>(qkv.data()),
                        static_cast<const void*>(q.data()), static_cast<const void*>(cos.data()),
                        static_cast<const void*>(sin.data()),
                        static_cast<const void*>(logits.data()), static_cast<const void*>(scratch.data()),
                        static_cast<const void*>(h.data()), static_cast<const void*>(attn.data()),
                        static_cast<const void*>(gate_up.data()), static_cast<const void*>(act.data()),
                        static_cast<const void*>(selected.data())}) {
    signature.push_back(reinterpret_cast<std::uintptr_t>(p));
  }
  return signature;
}

void CudaTransformer::Impl::enqueue(std::size_t splits) {
  const model::ModelConfig& c = config;
  const std::size_t n = plan.tokens, hidden = c.hidden_size, half = c.rotary_dim / 2;
  const float eps = static_cast<float>(c.rms_norm_eps);
  cuda::embedding_gather(stream, weights.embed_tokens.data(), hidden, ints(plan.token_ids), n, x.data());
  cuda::rotary_angles(stream, ints(plan.positions), ints(plan.token_sequence), floats(plan.inv_freq), n, half,
                      cos.data(), sin.data());
  cuda::rms_norm(stream, x.data(), weights.layers.front().input_norm.data(), n, hidden, eps, h.data());

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
  gemm.linear(stream, attn.data(), n, w.o_proj.data(), hidden, c.q_dim(), cuda::GemmOutput::kF32Accumulate, x.data());
  cuda::rms_norm(stream, x.data(), w.post_attention_norm.data(), n, hidden, eps, h.data());

  if (cuda::small_m_linear_applies(h.data(), n, w.gate_up.data(), hidden)) {
    cuda::small_m_swiglu(stream, h.data(), n, w.gate_up.data(), inter, hidden, act.data());
  } else {
    gemm.linear(stream, h.data(), n, w.gate_up.data(), 2 * inter, hidden, cuda::GemmOutput::kBF16, gate_up.data());
    cuda::silu_mul(stream, gate_up.data(), n, inter, act.data());
  }
  gemm.linear(stream, act.data(), n, w.down.data(), hidden, inter, cuda::GemmOutput::kF32Accumulate, x.data());
  const float* next_norm = l + 1 < weights.layers.size() ? weights.layers[l + 1].input_norm.data() : weights.final_norm.data();
  cuda::rms_norm(stream, x.data(), next_norm, n, hidden, eps, h.data());
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

void CudaTransformer::forward_sampled(std::span<const SequenceStep> batch, std::span<const TokenSampling> rows,
                                      std::vector<TokenId>& next, std::vector<float>& host_logits) {
  use_device(impl_->device);
  impl_->run(batch);
  if (rows.size() != impl_->plan.logit_rows) {
    fail("forward_sampled: ", rows.size(), " sampling rows for ", impl_->plan.logit_rows, " rows of logits");
  }
  impl_->sampler.sample(impl_->stream, impl_->logits.data(), config_.vocab_size, rows, next, host_logits);
}

std::size_t CudaTransformer::weight_bytes() const { return impl_->weights.bytes; }
std::size_t CudaTransformer::kv_cache_bytes() const { return impl_->kv.bytes(); }
std::size_t CudaTransformer::activation_bytes() const { return impl_->buffer_bytes(); }
std::size_t CudaTransformer::decode_graphs() const { return impl_->graphs.size(); }

}  // namespace qwenrt::engine
