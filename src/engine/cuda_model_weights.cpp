#include "engine/cuda_model_weights.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>

#include "core/dtype.h"

namespace qwenrt::engine {
namespace {

// Elements converted per host round trip when a checkpoint is not bf16 already.
constexpr std::size_t kConvertChunk = std::size_t{1} << 20;

// Copies tensor's rows to dst as bf16, row r at dst + r * dst_row_stride elements: bf16 tensors as
// they lie in the mapped file, others widened to float and rounded to nearest even, a chunk at a time.
void copy_rows_as_bf16(const model::TensorView& tensor, __nv_bfloat16* dst, std::size_t dst_row_stride) {
  const std::size_t cols = tensor.shape.back(), rows = tensor.elements() / cols;
  if (tensor.dtype == DType::kBF16) {
    QWENRT_CUDA_CHECK(cudaMemcpy2D(dst, dst_row_stride * 2, tensor.data, cols * 2, cols * 2, rows, cudaMemcpyHostToDevice));
    return;
  }
  const std::size_t rows_per_chunk = std::max<std::size_t>(1, kConvertChunk / cols);
  std::vector<float> widened(std::min(rows, rows_per_chunk) * cols);
  std::vector<std::uint16_t> narrowed(widened.size());
  const std::size_t element_bytes = dtype_size(tensor.dtype);
  for (std::size_t begin = 0; begin < rows; begin += rows_per_chunk) {
    const std::size_t n = std::min(rows_per_chunk, rows - begin) * cols;
    convert_to_float(tensor.dtype, tensor.data + begin * cols * element_bytes, n, widened.data());
    for (std::size_t i = 0; i < n; ++i) narrowed[i] = float_to_bf16(widened[i]);
    QWENRT_CUDA_CHECK(cudaMemcpy2D(dst + begin * dst_row_stride, dst_row_stride * 2, narrowed.data(), cols * 2,
                                   cols * 2, n / cols, cudaMemcpyHostToDevice));
  }
}

// The tensors' rows one after another (all of the same width) as one bf16 matrix.
cuda::DeviceBuffer<__nv_bfloat16> stacked_matrix(std::initializer_list<const model::TensorView*> parts) {
  std::size_t elements = 0;
  for (const model::TensorView* t : parts) elements += t->elements();
  cuda::DeviceBuffer<__nv_bfloat16> buffer(elements);
  std::size_t offset = 0;
  for (const model::TensorView* t : parts) {
    copy_rows_as_bf16(*t, buffer.data() + offset, t->shape.back());
    offset += t->elements();
  }
  return buffer;
}

// Two matrices of the same shape with their rows interleaved: a's row r at 2r, b's at 2r + 1.
cuda::DeviceBuffer<__nv_bfloat16> interleaved_matrix(const model::TensorView& a, const model::TensorView& b) {
  const std::size_t cols = a.shape.back();
  cuda::DeviceBuffer<__nv_bfloat16> buffer(2 * a.elements());
  copy_rows_as_bf16(a, buffer.data(), 2 * cols);
  copy_rows_as_bf16(b, buffer.data() + cols, 2 * cols);
  return buffer;
}

cuda::DeviceBuffer<float> floats_of(const model::TensorView& t) {
  const std::vector<float> values = model::to_float(t);
  return cuda::to_device<float>(values);
}

cuda::DeviceBuffer<float> floats_of(const std::optional<model::TensorView>& t) {
  return t ? floats_of(*t) : cuda::DeviceBuffer<float>();
}

}  // namespace

CudaModelWeights upload_weights(const model::ModelWeights& weights) {
  CudaModelWeights out;
  out.embed_tokens = stacked_matrix({&weights.embed_tokens});
  if (weights.lm_head.data == weights.embed_tokens.data) {
    out.lm_head = out.embed_tokens.data();
  } else {
    out.lm_head_storage = stacked_matrix({&weights.lm_head});
    out.lm_head = out.lm_head_storage.data();
  }
  out.final_norm = floats_of(weights.final_norm);
  out.bytes = out.embed_tokens.bytes() + out.lm_head_storage.bytes() + out.final_norm.bytes();
  for (const model::LayerWeights& w : weights.layers) {
    CudaLayerWeights layer;
    layer.input_norm = floats_of(w.input_norm);
    layer.post_attention_norm = floats_of(w.post_attention_norm);
    if (w.q_bias && w.k_bias && w.v_bias) {
      std::vector<float> bias;
      for (const auto* b : {&w.q_bias, &w.k_bias, &w.v_bias}) {
        const std::vector<float> part = model::to_float(**b);
        bias.insert(bias.end(), part.begin(), part.end());
      }
      layer.qkv_bias = cuda::to_device<float>(bias);
    }
    layer.q_norm = floats_of(w.q_norm);
    layer.k_norm = floats_of(w.k_norm);
    layer.qkv = stacked_matrix({&w.q_proj, &w.k_proj, &w.v_proj});
    layer.o_proj = stacked_matrix({&w.o_proj});
    layer.gate_up = interleaved_matrix(w.gate_proj, w.up_proj);
    layer.down = stacked_matrix({&w.down_proj});
    for (const auto* b : {&layer.input_norm, &layer.post_attention_norm, &layer.qkv_bias, &layer.q_norm, &layer.k_norm}) {
      out.bytes += b->bytes();
    }
    for (const auto* b : {&layer.qkv, &layer.o_proj, &layer.gate_up, &layer.down}) out.bytes += b->bytes();
    out.layers.push_back(std::move(layer));
  }
  return out;
}

}  // namespace qwenrt::engine
