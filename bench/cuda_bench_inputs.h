// Inputs of the CUDA benchmarks: the weight matrices of a Qwen2.5-7B layer and its LM head, and random
// bf16 values to fill them (and x) with.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/gemm.h"

namespace qwenrt::bench {

// A weight matrix, out_features x in_features, and the output the engine asks of its product.
struct LayerMatrix {
  const char* name;
  std::size_t out_features;
  std::size_t in_features;
  cuda::GemmOutput output;
};

inline constexpr LayerMatrix kQwen7bMatrices[] = {{"qkv", 4608, 3584, cuda::GemmOutput::kF32},
                                                  {"o_proj", 3584, 3584, cuda::GemmOutput::kF32Accumulate},
                                                  {"gate_up", 37888, 3584, cuda::GemmOutput::kBF16},
                                                  {"down", 3584, 18944, cuda::GemmOutput::kF32Accumulate},
                                                  {"lm_head", 152064, 3584, cuda::GemmOutput::kF32}};

// Uniform in [-1, 1], the order of real weights and activations, so that the products draw the power
// (and run at the clocks) they would on real data.
inline cuda::DeviceBuffer<__nv_bfloat16> random_bf16_on_device(std::mt19937& rng, std::size_t count) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<std::uint16_t> bits(count);
  for (auto& b : bits) b = float_to_bf16(dist(rng));
  cuda::DeviceBuffer<__nv_bfloat16> buffer(count);
  QWENRT_CUDA_CHECK(cudaMemcpy(buffer.data(), bits.data(), count * 2, cudaMemcpyHostToDevice));
  return buffer;
}

}  // namespace qwenrt::bench
