#include "kernels/cpu/embedding.h"

#include "core/error.h"
#include "kernels/cpu/kernel_support.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {

void embedding_lookup(const WeightMatrix& table, std::span<const std::int32_t> ids, std::span<float> out) {
  detail::check_size("embedding_lookup", "out", out.size(), ids.size() * table.cols);
  if (ids.empty()) return;
  if (table.data == nullptr) fail("embedding_lookup: the embedding table has no data");
  if (table.quantized()) detail::check_quantized("embedding_lookup", table);
  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  for (std::size_t t = 0; t < ids.size(); ++t) {
    const std::int32_t id = ids[t];
    if (id < 0 || static_cast<std::size_t>(id) >= table.rows) {
      fail("embedding_lookup: token ", t, " has id ", id, ", outside the vocabulary of ", table.rows, " rows");
    }
    const auto row = static_cast<std::size_t>(id);
    if (table.quantized()) {
      kernels.dequantize(table, row, 0, table.cols, out.data() + t * table.cols);
    } else {
      kernels.convert(table.dtype, table.data + row * table.row_bytes(), table.cols, out.data() + t * table.cols);
    }
  }
}

}  // namespace qwenrt::cpu
