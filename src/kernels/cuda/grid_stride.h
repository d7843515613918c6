// Launch sizes of the kernels that walk their items in a grid-stride loop: a thread an item, up to a
// cap on the blocks beyond which the loop covers the rest (more blocks than that only add launch work).
#pragma once

#include <cstddef>

namespace qwenrt::cuda {

inline constexpr std::size_t kMaxGridStrideBlocks = 65536;

// Blocks of threads for items, at least one, at most kMaxGridStrideBlocks.
inline unsigned grid_stride_blocks(std::size_t items, unsigned threads) {
  const std::size_t blocks = (items + threads - 1) / threads;
  if (blocks == 0) return 1;
  return static_cast<unsigned>(blocks < kMaxGridStrideBlocks ? blocks : kMaxGridStrideBlocks);
}

}  // namespace qwenrt::cuda
