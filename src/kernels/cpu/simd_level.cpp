#include "kernels/cpu/simd_level.h"

#include <atomic>

#include "core/error.h"

namespace qwenrt::cpu {

namespace {

SimdLevel detect_simd_level() {
#if defined(__x86_64__) || defined(__i386__)
  // libgcc's CPU model also checks XGETBV, so a level is reported only where the OS saves its registers.
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  if (avx512) return SimdLevel::kAvx512;
  if (avx2) return SimdLevel::kAvx2;
#endif
  return SimdLevel::kScalar;
}

std::atomic<SimdLevel>& active_level() {
  static std::atomic<SimdLevel> level{best_simd_level()};
  return level;
}

}  // namespace

std::string_view simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512: return "avx512";
  }
  return "?";
}

SimdLevel best_simd_level() {
  static const SimdLevel best = detect_simd_level();
  return best;
}

std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel level : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (level <= best_simd_level()) levels.push_back(level);
  }
  return levels;
}

SimdLevel simd_level() { return active_level().load(std::memory_order_relaxed); }

void set_simd_level(SimdLevel level) {
  if (level > best_simd_level()) {
    fail("SIMD level ", simd_level_name(level), " is not supported by this CPU (best: ",
         simd_level_name(best_simd_level()), ")");
  }
  active_level().store(level, std::memory_order_relaxed);
}

SimdLevel parse_simd_level(std::string_view name) {
  for (SimdLevel level : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (name == simd_level_name(level)) return level;
  }
  fail("unknown SIMD level '", name, "' (expected scalar, avx2 or avx512)");
}

}  // namespace qwenrt::cpu
