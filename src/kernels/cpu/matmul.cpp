#include "kernels/cpu/matmul.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/kernel_support.h"
#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu {

namespace {

// Cache blocking of the prefill path. A block of x (kBlockM rows of kBlockK floats, 256 KiB) stays in
// L2 while blocks of kBlockN weight rows are widened to float (64 KiB, also L2) and multiplied by it;
// each register tile of x rows (24 KiB) stays in L1 while the widened rows pass by.
constexpr std::size_t kBlockK = 1024;
constexpr std::size_t kBlockM = 64;
constexpr std::size_t kBlockN = 16;
// Output columns handed to threads together: the four weight rows of a register tile
// (matmul_tile_impl.h), so that no tile is split between threads.
constexpr std::size_t kColumnGroup = 4;

struct MatmulProblem {
  const detail::SimdKernels* kernels;
  std::size_t m;
  std::size_t n;
  std::size_t k;
  const float* x;
  const WeightMatrix* w;
  const float* bias;  // null for none
  float* y;
};

// y[i, j] = bias[j] (or 0) for rows [m0, m1) and columns [n0, n1): the kernels accumulate into y.
void initialise_outputs(const MatmulProblem& p, std::size_t m0, std::size_t m1, std::size_t n0, std::size_t n1) {
  for (std::size_t i = m0; i < m1; ++i) {
    float* row = p.y + i * p.n;
    if (p.bias != nullptr) {
      std::memcpy(row + n0, p.bias + n0, (n1 - n0) * sizeof(float));
    } else {
      std::fill(row + n0, row + n1, 0.0f);
    }
  }
}

// Output columns [n0, n1) for all m rows, reading W straight from its storage: every weight is loaded
// and widened once, which is all a memory-bound product with few rows of x can ask for.
void stream_columns(const MatmulProblem& p, std::size_t n0, std::size_t n1) {
  initialise_outputs(p, 0, p.m, n0, n1);
  if (p.w->quantized()) {
    p.kernels->matmul_stream_quantized(p.x, p.k, p.m, *p.w, n0, n1 - n0, p.y + n0, p.n);
    return;
  }
  const detail::WeightRows rows{p.w->dtype, p.w->data + n0 * p.w->row_bytes(), p.w->row_bytes()};
  p.kernels->matmul_stream(p.x, p.k, p.m, rows, n1 - n0, p.k, p.y + n0, p.n);
}

// Columns [k0, k0 + count) of weight row `row` as float.
void widen_row(const MatmulProblem& p, std::size_t row, std::size_t k0, std::size_t count, float* out) {
  if (p.w->quantized()) {
    p.kernels->dequantize(*p.w, row, k0, count, out);
  } else {
    p.kernels->convert(p.w->dtype, p.w->data + row * p.w->row_bytes() + k0 * dtype_size(p.w->dtype), count, out);
  }
}

// Rows [m0, m1) x columns [n0, n1) of y with cache blocking (see kBlockK).
void blocked_block(const MatmulProblem& p, std::size_t m0, std::size_t m1, std::size_t n0, std::size_t n1) {
  initialise_outputs(p, m0, m1, n0, n1);
  thread_local std::vector<float> widened_storage;
  const bool widen = p.w->quantized() || p.w->dtype != DType::kF32;
  float* widened = widen ? detail::scratch_floats(widened_storage, kBlockN * kBlockK) : nullptr;
  for (std::size_t k0 = 0; k0 < p.k; k0 += kBlockK) {
    const std::size_t kc = std::min(kBlockK, p.k - k0);
    for (std::size_t mb = m0; mb < m1; mb += kBlockM) {
      const std::size_t mc = std::min(kBlockM, m1 - mb);
      for (std::size_t nb = n0; nb < n1; nb += kBlockN) {
        const std::size_t nc = std::min(kBlockN, n1 - nb);
        detail::WeightRows rows{DType::kF32, p.w->data + nb * p.w->row_bytes() + k0 * sizeof(float),
                                p.w->row_bytes()};
        if (widen) {
          for (std::size_t j = 0; j < nc; ++j) widen_row(p, nb + j, k0, kc, widened + j * kc);
          rows = {DType::kF32, reinterpret_cast<const std::byte*>(widened), kc * sizeof(float)};
        }
        p.kernels->matmul_accumulate(p.x + mb * p.k + k0, p.k, mc, rows, nc, kc, p.y + mb * p.n + nb, p.n);
      }
    }
  }
}

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

}  // namespace

void matmul(ThreadPool& pool, std::size_t m, std::span<const float> x, const WeightMatrix& w,
            std::span<const float> bias, std::span<float> y) {
  constexpr std::string_view kName = "matmul";
  if (w.rows == 0 || w.cols == 0) fail("matmul: weight matrix is ", w.rows, " x ", w.cols, ", expected no empty side");
  if (w.data == nullptr) fail("matmul: weight matrix ", w.rows, " x ", w.cols, " has no data");
  if (w.quantized()) detail::check_quantized(kName, w);
  detail::check_size(kName, "x", x.size(), m * w.cols);
  detail::check_size(kName, "y", y.size(), m * w.rows);
  if (!bias.empty()) detail::check_size(kName, "bias", bias.size(), w.rows);
  if (m == 0) return;
  const std::span<const float> out(y.data(), y.size());
  detail::check_disjoint(kName, "x", x, "y", out);
  detail::check_disjoint(kName, "bias", bias, "y", out);

  const detail::SimdKernels& kernels = detail::active_simd_kernels();
  const MatmulProblem p{&kernels, m, w.rows, w.cols, x.data(), &w, bias.empty() ? nullptr : bias.data(), y.data()};
  const std::size_t column_groups = ceil_div(p.n, kColumnGroup);
  const bool parallel = m * p.n * p.k >= detail::kParallelMinWork;

  if (m <= kernels.matmul_stream_rows) {
    const auto columns = [&](std::size_t begin, std::size_t end) {
      stream_columns(p, begin * kColumnGroup, std::min(p.n, end * kColumnGroup));
    };
    if (parallel) {
      pool.parallel_for(column_groups, columns);
    } else {
      columns(0, column_groups);
    }
    return;
  }

  // Split columns first (each thread widens only its own weights), then rows when there are fewer
  // column groups than threads.
  const std::size_t threads = parallel ? pool.size() : 1;
  const std::size_t row_tiles = ceil_div(m, kernels.matmul_tile_rows);
  const std::size_t column_parts = std::min(column_groups, threads);
  const std::size_t row_parts = std::min(row_tiles, ceil_div(threads, column_parts));
  const auto blocks = [&](std::size_t begin, std::size_t end) {
    for (std::size_t item = begin; item < end; ++item) {
      const std::size_t cp = item % column_parts;
      const std::size_t rp = item / column_parts;
      const std::size_t n0 = column_groups * cp / column_parts * kColumnGroup;
      const std::size_t n1 = std::min(p.n, column_groups * (cp + 1) / column_parts * kColumnGroup);
      const std::size_t m0 = row_tiles * rp / row_parts * kernels.matmul_tile_rows;
      const std::size_t m1 = std::min(m, row_tiles * (rp + 1) / row_parts * kernels.matmul_tile_rows);
      blocked_block(p, m0, m1, n0, n1);
    }
  };
  const std::size_t items = column_parts * row_parts;
  if (items > 1) {
    pool.parallel_for(items, blocks);
  } else {
    blocks(0, 1);
  }
}

}  // namespace qwenrt::cpu
