// The AVX-512 kernel level; see simd_kernels_scalar.cpp for how the levels are built.
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
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")
// GCC 12's AVX-512 intrinsics start from a self-initialised "undefined" register, which it then
// reports as uninitialised once they are inlined under a target pragma (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/cpu/simd_kernels_table_impl.h"
#include "kernels/cpu/vec_avx512.h"

namespace qwenrt::cpu {
namespace {

// Six x rows: 24 accumulators, 4 weight vectors and the x vector in the 32 zmm registers.
constinit const detail::SimdKernels kAvx512Kernels = make_simd_kernels<Avx512Ops, 6>(SimdLevel::kAvx512);

}  // namespace
}  // namespace qwenrt::cpu

#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace qwenrt::cpu {
const detail::SimdKernels& detail::avx512_simd_kernels() { return kAvx512Kernels; }
}  // namespace qwenrt::cpu

#endif
