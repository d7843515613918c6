// The portable kernel level. The x86 levels (simd_kernels_avx2.cpp, simd_kernels_avx512.cpp) compile
// the same templates inside a target pragma; all of them include the library headers first, so that
// only this directory's own templates (which live in anonymous namespaces, one copy per file) are built
// for the wider instruction sets, never a shared inline function that another file could pick up.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/dtype.h"
#include "kernels/cpu/simd_kernels.h"
#include "kernels/cpu/simd_kernels_table_impl.h"
#include "kernels/cpu/vec_scalar.h"

namespace qwenrt::cpu {
namespace {

// Two x rows: 8 accumulators and 4 weight vectors fit the 16 SSE registers of baseline x86-64.
constinit const detail::SimdKernels kScalarKernels = make_simd_kernels<ScalarOps, 2>(SimdLevel::kScalar);

}  // namespace

const detail::SimdKernels& detail::scalar_simd_kernels() { return kScalarKernels; }

}  // namespace qwenrt::cpu
