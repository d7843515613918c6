// The AVX2 kernel level; see simd_kernels_scalar.cpp for how the levels are built.
#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/dtype.h"
#include "kernels/cpu/simd_kernels.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")

#include "kernels/cpu/simd_kernels_table_impl.h"
#include "kernels/cpu/vec_avx2.h"

namespace qwenrt::cpu {
namespace {

// Two x rows: 8 accumulators, 4 weight vectors and the x vector in the 16 ymm registers.
constinit const detail::SimdKernels kAvx2Kernels = make_simd_kernels<Avx2Ops, 2>(SimdLevel::kAvx2);

}  // namespace
}  // namespace qwenrt::cpu

#pragma GCC pop_options

namespace qwenrt::cpu {
const detail::SimdKernels& detail::avx2_simd_kernels() { return kAvx2Kernels; }
}  // namespace qwenrt::cpu

#endif
