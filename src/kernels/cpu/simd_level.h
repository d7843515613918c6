// Which vector instruction set the CPU kernels use. One binary runs on any x86-64: the kernels are
// compiled for each level (GCC target attributes) and the best one the CPU supports is picked at run
// time. Tests and benchmarks may switch to a lower level to exercise or compare every code path.
#pragma once

#include <string_view>
#include <vector>

namespace qwenrt::cpu {

enum class SimdLevel {
  kScalar,  // portable C++, any CPU
  kAvx2,    // AVX2 + FMA + F16C (Haswell, Zen 1 and later)
  kAvx512,  // AVX-512 F/BW/VL/DQ on top of the AVX2 set (Skylake-SP, Ice Lake, Zen 4 and later)
};

// "scalar", "avx2", "avx512".
std::string_view simd_level_name(SimdLevel level);

// The best level this CPU (and OS: AVX state must be enabled) supports, detected once.
SimdLevel best_simd_level();

// Every level this CPU can run, lowest first.
std::vector<SimdLevel> supported_simd_levels();

// The level the kernels use now; best_simd_level() unless set_simd_level changed it.
SimdLevel simd_level();

// Makes the kernels use level from now on, in every thread. Throws Error when the CPU cannot run it.
void set_simd_level(SimdLevel level);

// Parses a level name (as simd_level_name spells it); throws Error naming the text otherwise.
SimdLevel parse_simd_level(std::string_view name);

}  // namespace qwenrt::cpu
