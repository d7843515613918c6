// A checkpoint's weights copied to the GPU once, in the layout the CUDA forward pass reads: matrices
// in bf16 (f32 and f16 checkpoints are rounded on upload), the q/k/v projections stacked into one
// matrix and gate/up interleaved into another so that each takes one product (and the SwiGLU can be
// taken where a gate row and its up row meet), and the small vectors (norms, biases) in float, as the
// CPU path uses them.
#pragma once

#include <cuda_bf16.h>

#include <vector>

#include "kernels/cuda/device_buffer.h"
#include "model/weights.h"

namespace qwenrt::engine {

struct CudaLayerWeights {
  cuda::DeviceBuffer<float> input_norm, post_attention_norm;
  cuda::DeviceBuffer<float> qkv_bias;        // [q_dim + 2 kv_dim], empty without biases
  cuda::DeviceBuffer<float> q_norm, k_norm;  // [head_dim], empty without per-head norms
  cuda::DeviceBuffer<__nv_bfloat16> qkv;     // [q_dim + 2 kv_dim, hidden]: q_proj, k_proj, v_proj rows
  cuda::DeviceBuffer<__nv_bfloat16> o_proj;  // [hidden, q_dim]
  cuda::DeviceBuffer<__nv_bfloat16> gate_up; // [2 intermediate, hidden]: gate_proj row j at 2j, up_proj's at 2j + 1
  cuda::DeviceBuffer<__nv_bfloat16> down;    // [hidden, intermediate]
};

struct CudaModelWeights {
  cuda::DeviceBuffer<__nv_bfloat16> embed_tokens;
  cuda::DeviceBuffer<__nv_bfloat16> lm_head_storage;  // empty when the LM head is the embedding
  const __nv_bfloat16* lm_head = nullptr;
  cuda::DeviceBuffer<float> final_norm;
  std::vector<CudaLayerWeights> layers;
  std::size_t bytes = 0;  // device memory held
};

// Copies every weight to the current device. Throws Error when device memory runs out.
CudaModelWeights upload_weights(const model::ModelWeights& weights);

}  // namespace qwenrt::engine
