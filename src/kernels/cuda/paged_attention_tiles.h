// How the prefill attention kernel divides its work, in plain C++ so that the host code planning a
// forward step (and its tests) need no CUDA headers. A row is one (token, query head of a KV head) of
// a sequence, tokens major; a tile is kPrefillTileRows consecutive rows, attended by one thread block
// per KV head.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qwenrt::cuda {

inline constexpr std::size_t kPrefillTileRows = 128;

// Appends the (sequence, first row) pairs of the tiles covering a sequence of that many new tokens,
// with group query heads per KV head.
inline void append_prefill_tiles(std::vector<std::int32_t>& tiles, std::int32_t sequence, std::size_t tokens,
                                 std::size_t group) {
  for (std::size_t row = 0; row < tokens * group; row += kPrefillTileRows) {
    tiles.push_back(sequence);
    tiles.push_back(static_cast<std::int32_t>(row));
  }
}

}  // namespace qwenrt::cuda
