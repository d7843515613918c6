#include "kernels/cpu/simd_kernels.h"

namespace qwenrt::cpu::detail {

const SimdKernels& active_simd_kernels() {
  switch (simd_level()) {
    case SimdLevel::kScalar: break;
#if defined(__x86_64__) || defined(__i386__)
    case SimdLevel::kAvx2: return avx2_simd_kernels();
    case SimdLevel::kAvx512: return avx512_simd_kernels();
#else
    case SimdLevel::kAvx2:
    case SimdLevel::kAvx512: break;
#endif
  }
  return scalar_simd_kernels();
}

}  // namespace qwenrt::cpu::detail
