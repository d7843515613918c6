// The CUDA kernels other than attention against the CPU kernels (the reference path) on random inputs
// of odd sizes: embedding gather, RMSNorm, SwiGLU, the fused q/k/v bias + per-head norm + rotary + KV
// cache write, and the bf16 linear layers (cuBLASLt and the small-m kernel), with and without the
// residual add in their epilogue.
#include <algorithm>
#include <numeric>

#include "core/thread_pool.h"
#include "cuda_test_support.h"
#include "kernels/cpu/activation.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/paged_kv_cache.h"
#include "kernels/cpu/rotary.h"
#include "kernels/cuda/activation.h"
#include "kernels/cuda/embedding.h"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/norm.h"
#include "kernels/cuda/qkv_rotary.h"
#include "kernels/cuda/small_m_linear.h"

namespace qwenrt::cuda {
namespace {

using testing::bf16_to_device;
using testing::bf16_to_host;
using testing::CudaTest;
using testing::poisoned;
using testing::random_bf16;
using testing::random_floats;
using testing::relative_error;

using CudaElementwise = CudaTest;

TEST_F(CudaElementwise, EmbeddingGatherCopiesRowsExactly) {
  std::mt19937 rng(1);
  const std::size_t vocab = 37, hidden = 71;
  const testing::Bf16Data table = random_bf16(rng, vocab * hidden);
  const std::vector<std::int32_t> ids = {5, 0, 36, 5, 17, 2, 36};
  std::vector<float> want(ids.size() * hidden);
  cpu::embedding_lookup({DType::kBF16, reinterpret_cast<const std::byte*>(table.bits.data()), vocab, hidden}, ids, want);

  const auto d_table = bf16_to_device(table.bits);
  const auto d_ids = to_device<std::int32_t>(ids);
  auto d_out = poisoned<float>(want.size());
  embedding_gather(nullptr, d_table.data(), hidden, d_ids.data(), ids.size(), d_out.data());
  EXPECT_EQ(to_host(d_out.data(), want.size()), want);
}

// dim 1003 is not a whole number of 16-byte pieces (the scalar kernel), the rest are (the vector
// one); 12000 floats are three pieces per thread of a full block.
TEST_F(CudaElementwise, RmsNormMatchesTheCpu) {
  std::mt19937 rng(2);
  ThreadPool pool(1);
  const float eps = 1e-6f;
  for (const std::size_t dim : {64u, 1003u, 3584u, 12000u}) {
    SCOPED_TRACE(::testing::Message() << "dim " << dim);
    const std::size_t rows = 5;
    const std::vector<float> x = random_floats(rng, rows * dim, -3.0f, 3.0f);
    const std::vector<float> weight = random_floats(rng, dim, 0.5f, 1.5f);
    const auto d_x = to_device<float>(x);
    const auto d_weight = to_device<float>(weight);
    auto d_out = poisoned<__nv_bfloat16>(rows * dim);

    std::vector<float> want(rows * dim);
    cpu::rms_norm(pool, x, weight, eps, want);
    rms_norm(nullptr, d_x.data(), d_weight.data(), rows, dim, eps, d_out.data());
    testing::expect_bf16_rounding_of(bf16_to_host(d_out.data(), want.size()), want, 1e-5);
    EXPECT_EQ(to_host(d_x.data(), x.size()), x) << "the residual stream is only read";
  }
  EXPECT_THROW(rms_norm(nullptr, nullptr, nullptr, 1, 16385, eps, nullptr), Error);
}

// The gate and up values arrive interleaved, as the engine's interleaved gate_up weight yields them.
TEST_F(CudaElementwise, SiluMulMatchesTheCpu) {
  std::mt19937 rng(3);
  ThreadPool pool(1);
  const std::size_t rows = 3, width = 517;
  const testing::Bf16Data gate_up = random_bf16(rng, rows * 2 * width, -6.0f, 6.0f);
  std::vector<float> gate, up;
  for (std::size_t i = 0; i < rows * width; ++i) {
    gate.push_back(gate_up.values[2 * i]);
    up.push_back(gate_up.values[2 * i + 1]);
  }
  std::vector<float> want(rows * width);
  cpu::silu_mul(pool, gate, up, want);

  const auto d_gate_up = bf16_to_device(gate_up.bits);
  auto d_out = poisoned<__nv_bfloat16>(rows * width);
  silu_mul(nullptr, d_gate_up.data(), rows, width, d_out.data());
  testing::expect_bf16_rounding_of(bf16_to_host(d_out.data(), want.size()), want, 1e-5);
}

// Few rows go through the small-m kernel, many (or rows that are not a multiple of 16 bytes) through
// cuBLASLt. 67 and 1029 outputs leave the small-m kernel's last block of four rows short; 4424 columns
// (553 16-byte pieces) split unevenly over its warps and end in a partial pass, 136 leave warps idle.
TEST_F(CudaElementwise, LinearLayersMatchTheCpuMatmul) {
  std::mt19937 rng(5);
  ThreadPool pool(2);
  Gemm gemm;
  const std::pair<std::size_t, std::size_t> shapes[] = {{67, 136}, {67, 100}, {1029, 4424}};
  for (const auto& [out_features, in_features] : shapes) {
    const testing::Bf16Data w = random_bf16(rng, out_features * in_features);
    const cpu::WeightMatrix matrix{DType::kBF16, reinterpret_cast<const std::byte*>(w.bits.data()), out_features,
                                   in_features};
    const auto d_w = bf16_to_device(w.bits);
    for (const std::size_t m : {1u, 2u, 3u, 5u, 8u, 9u, 130u}) {
      SCOPED_TRACE(::testing::Message() << "m " << m << ", in_features " << in_features);
      const testing::Bf16Data x = random_bf16(rng, m * in_features);
      std::vector<float> want(m * out_features);
      cpu::matmul(pool, m, x.values, matrix, {}, want);
      const auto d_x = bf16_to_device(x.bits);

      auto d_f32 = poisoned<float>(want.size());
      gemm.linear(nullptr, d_x.data(), m, d_w.data(), out_features, in_features, GemmOutput::kF32, d_f32.data());
      EXPECT_LT(relative_error(to_host(d_f32.data(), want.size()), want), 1e-5);
      auto d_library = poisoned<float>(want.size());
      gemm.cublaslt_linear(nullptr, d_x.data(), m, d_w.data(), out_features, in_features, GemmOutput::kF32,
                           d_library.data());
      EXPECT_LT(relative_error(to_host(d_library.data(), want.size()), want), 1e-5);
      // Every candidate algorithm the benchmark times computes the same product.
      auto d_timed = poisoned<float>(want.size());
      const std::vector<double> seconds = gemm.time_cublaslt_candidates(
          d_x.data(), m, d_w.data(), out_features, in_features, GemmOutput::kF32, d_timed.data(), 3, 1);
      EXPECT_GE(seconds.size(), 1u);
      EXPECT_LE(seconds.size(), 3u);
      for (const double s : seconds) EXPECT_GT(s, 0.0);
      EXPECT_LT(relative_error(to_host(d_timed.data(), want.size()), want), 1e-5);

      // The residual add of the engine: y keeps its float values plus the product.
      const std::vector<float> residual = random_floats(rng, want.size(), -4.0f, 4.0f);
      std::vector<float> want_sum(want.size());
      for (std::size_t i = 0; i < want.size(); ++i) want_sum[i] = residual[i] + want[i];
      auto d_sum = to_device<float>(residual);
      gemm.linear(nullptr, d_x.data(), m, d_w.data(), out_features, in_features, GemmOutput::kF32Accumulate,
                  d_sum.data());
      EXPECT_LT(relative_error(to_host(d_sum.data(), want.size()), want_sum), 1e-5);
      auto d_library_sum = to_device<float>(residual);
      gemm.cublaslt_linear(nullptr, d_x.data(), m, d_w.data(), out_features, in_features,
                           GemmOutput::kF32Accumulate, d_library_sum.data());
      EXPECT_LT(relative_error(to_host(d_library_sum.data(), want.size()), want_sum), 1e-5);

      auto d_bf16 = poisoned<__nv_bfloat16>(want.size());
      gemm.linear(nullptr, d_x.data(), m, d_w.data(), out_features, in_features, GemmOutput::kBF16, d_bf16.data());
      // Sums of in_features products of magnitude up to 1: float summation in another order errs by
      // about 1e-7 absolute, which a product cancelling to 1e-5 makes large relative to itself.
      testing::expect_bf16_rounding_of(bf16_to_host(d_bf16.data(), want.size()), want, 1e-4, 1e-5);
    }
    EXPECT_THROW(gemm.linear(nullptr, d_w.data(), 0, d_w.data(), out_features, in_features, GemmOutput::kF32, nullptr),
                 Error);
    EXPECT_THROW(gemm.time_cublaslt_candidates(d_w.data(), 1, d_w.data(), out_features, in_features, GemmOutput::kF32,
                                               nullptr, 0, 1),
                 Error);
  }
}

// The fused gate/up product and SwiGLU of decoding against the CPU's two products and silu_mul, with
// the gate and up rows interleaved in one matrix; 1031 pairs leave the last block of four rows one pair.
TEST_F(CudaElementwise, SmallMSwiGluMatchesTheCpu) {
  std::mt19937 rng(6);
  ThreadPool pool(2);
  const std::size_t width = 1031, in_features = 264;
  const testing::Bf16Data gate = random_bf16(rng, width * in_features), up = random_bf16(rng, width * in_features);
  std::vector<std::uint16_t> interleaved;
  for (std::size_t r = 0; r < width; ++r) {
    for (const auto* m : {&gate, &up}) {
      interleaved.insert(interleaved.end(), m->bits.begin() + static_cast<std::ptrdiff_t>(r * in_features),
                         m->bits.begin() + static_cast<std::ptrdiff_t>((r + 1) * in_features));
    }
  }
  const auto d_w = bf16_to_device(interleaved);
  const auto matrix = [&](const testing::Bf16Data& w) {
    return cpu::WeightMatrix{DType::kBF16, reinterpret_cast<const std::byte*>(w.bits.data()), width, in_features};
  };
  for (const std::size_t m : {1u, 2u}) {
    SCOPED_TRACE(::testing::Message() << "m " << m);
    const testing::Bf16Data x = random_bf16(rng, m * in_features);
    std::vector<float> g(m * width), u(m * width), want(m * width);
    cpu::matmul(pool, m, x.values, matrix(gate), {}, g);
    cpu::matmul(pool, m, x.values, matrix(up), {}, u);
    cpu::silu_mul(pool, g, u, want);
    const auto d_x = bf16_to_device(x.bits);
    auto d_out = poisoned<__nv_bfloat16>(want.size());
    small_m_swiglu(nullptr, d_x.data(), m, d_w.data(), width, in_features, d_out.data());
    testing::expect_bf16_rounding_of(bf16_to_host(d_out.data(), want.size()), want, 1e-4, 1e-5);
  }
  EXPECT_THROW(small_m_swiglu(nullptr, d_w.data(), kSmallMaxRows + 1, d_w.data(), width, in_features, nullptr), Error);
}

struct QkvCase {
  std::size_t heads, kv_heads, head_dim, rotary_dim;
  bool bias, qk_norm;
};

TEST_F(CudaElementwise, QkvBiasNormRotaryAndCacheWriteMatchTheCpu) {
  std::mt19937 rng(6);
  ThreadPool pool(1);
  const QkvCase cases[] = {{4, 2, 16, 16, true, false},    // Qwen2-like, the fixtures' size
                           {14, 2, 64, 64, true, false},   // Qwen2.5-0.5B
                           {8, 4, 128, 128, false, true},  // Qwen3
                           {6, 6, 128, 64, true, false},   // partial rotary
                           {3, 1, 256, 96, false, true}};
  for (const QkvCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.heads << " heads, " << c.kv_heads << " kv heads, head_dim " << c.head_dim
                                      << ", rotary_dim " << c.rotary_dim);
    const std::size_t tokens = 7, first_position = 29, block_size = 5, num_blocks = 9;
    const QkvShape shape{c.heads, c.kv_heads, c.head_dim, c.rotary_dim / 2};
    const std::size_t q_dim = c.heads * c.head_dim, kv_dim = c.kv_heads * c.head_dim, width = shape.row_width();
    const std::vector<float> qkv = random_floats(rng, tokens * width, -2.0f, 2.0f);
    const std::vector<float> bias = c.bias ? random_floats(rng, width, -0.1f, 0.1f) : std::vector<float>{};
    const std::vector<float> q_norm = c.qk_norm ? random_floats(rng, c.head_dim, 0.5f, 1.5f) : std::vector<float>{};
    const std::vector<float> k_norm = c.qk_norm ? random_floats(rng, c.head_dim, 0.5f, 1.5f) : std::vector<float>{};
    const std::vector<std::int32_t> block_table = {8, 2, 6, 0, 4, 7, 1, 5};  // covers positions up to 39
    std::vector<std::int32_t> positions(tokens), slots(tokens), sequence(tokens, 0);
    for (std::size_t t = 0; t < tokens; ++t) {
      positions[t] = static_cast<std::int32_t>(first_position + t);
      slots[t] = block_table[positions[t] / block_size] * static_cast<std::int32_t>(block_size) +
                 positions[t] % static_cast<std::int32_t>(block_size);
    }

    // The CPU path: projections (+ bias), per-head norms, rotary, cache write.
    std::vector<float> q(tokens * q_dim), k(tokens * kv_dim), v(tokens * kv_dim);
    for (std::size_t t = 0; t < tokens; ++t) {
      for (std::size_t i = 0; i < width; ++i) {
        const float value = qkv[t * width + i] + (c.bias ? bias[i] : 0.0f);
        if (i < q_dim) q[t * q_dim + i] = value;
        else if (i < q_dim + kv_dim) k[t * kv_dim + i - q_dim] = value;
        else v[t * kv_dim + i - q_dim - kv_dim] = value;
      }
    }
    if (c.qk_norm) {
      cpu::rms_norm(pool, q, q_norm, 1e-6f, q);
      cpu::rms_norm(pool, k, k_norm, 1e-6f, k);
    }
    const cpu::RotaryEmbedding rotary(c.rotary_dim, 1e6);
    cpu::RotaryAngles angles;
    rotary.compute_angles(positions, angles);
    cpu::apply_rotary(pool, angles, q, c.heads, c.head_dim);
    cpu::apply_rotary(pool, angles, k, c.kv_heads, c.head_dim);
    const cpu::PagedKvLayout layout{block_size, num_blocks, c.kv_heads, c.head_dim};
    cpu::KvCacheStorage storage(layout, 1);
    const cpu::KvLayer cache = storage.layer(0);
    cpu::kv_cache_write(cache, block_table, first_position, k, v);

    const auto d_positions = to_device<std::int32_t>(positions);
    const auto d_sequence = to_device<std::int32_t>(sequence);
    const auto d_inv_freq = to_device<float>(rotary.inverse_frequencies());
    auto d_cos = poisoned<float>(tokens * shape.rotary_half);
    auto d_sin = poisoned<float>(tokens * shape.rotary_half);
    rotary_angles(nullptr, d_positions.data(), d_sequence.data(), d_inv_freq.data(), tokens, shape.rotary_half,
                  d_cos.data(), d_sin.data());
    EXPECT_LT(relative_error(to_host(d_cos.data(), angles.cos.size()), angles.cos), 1e-6);
    EXPECT_LT(relative_error(to_host(d_sin.data(), angles.sin.size()), angles.sin), 1e-6);

    const auto d_qkv = to_device<float>(qkv);
    const auto d_bias = to_device<float>(bias);
    const auto d_q_norm = to_device<float>(q_norm);
    const auto d_k_norm = to_device<float>(k_norm);
    const auto d_slots = to_device<std::int32_t>(slots);
    auto d_q = poisoned<float>(q.size());
    auto d_keys = poisoned<__nv_bfloat16>(layout.layer_elements());
    auto d_values = poisoned<__nv_bfloat16>(layout.layer_elements());
    const QkvParams params{c.bias ? d_bias.data() : nullptr, c.qk_norm ? d_q_norm.data() : nullptr,
                           c.qk_norm ? d_k_norm.data() : nullptr, 1e-6f, d_cos.data(), d_sin.data()};
    qkv_rotary_cache_write(nullptr, d_qkv.data(), tokens, shape, params, d_slots.data(), d_q.data(), d_keys.data(),
                           d_values.data());
    EXPECT_LT(relative_error(to_host(d_q.data(), q.size()), q), 1e-6);
    const std::vector<float> keys = bf16_to_host(d_keys.data(), layout.layer_elements());
    const std::vector<float> values = bf16_to_host(d_values.data(), layout.layer_elements());
    for (const std::int32_t slot : slots) {
      const std::size_t begin = static_cast<std::size_t>(slot) * kv_dim;
      const auto slice = [&](const auto& x) {
        return std::vector<float>(x.begin() + static_cast<std::ptrdiff_t>(begin),
                                  x.begin() + static_cast<std::ptrdiff_t>(begin + kv_dim));
      };
      // A rotated key is a difference of products: it may cancel too.
      testing::expect_bf16_rounding_of(slice(keys), slice(cache.keys), 1e-5, 1e-6);
      testing::expect_bf16_rounding_of(slice(values), slice(cache.values), 1e-5);
    }
  }
  const QkvShape too_wide{1, 1, 512, 512};
  EXPECT_THROW(qkv_rotary_cache_write(nullptr, nullptr, 1, too_wide, {}, nullptr, nullptr, nullptr, nullptr), Error);
}

}  // namespace
}  // namespace qwenrt::cuda
