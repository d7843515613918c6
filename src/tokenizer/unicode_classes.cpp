#include "tokenizer/unicode_classes.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>

#include <array>
#include <map>
#include <vector>

namespace qwenrt::tokenizer {
namespace {

constexpr char32_t kCodePoints = 0x110000;
constexpr int kBlockBits = 8;
constexpr char32_t kBlockSize = 1u << kBlockBits;
constexpr std::size_t kBlocks = kCodePoints / kBlockSize;

std::uint8_t compute_flags(char32_t c) {
  std::uint8_t flags = 0;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      flags |= kLetter;
      break;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      flags |= kNumber;
      break;
    default:
      break;
  }
  if (u_isUWhiteSpace(static_cast<UChar32>(c))) flags |= kWhiteSpace;
  if (u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_NFC_QUICK_CHECK) == UNORM_YES &&
      u_getCombiningClass(static_cast<UChar32>(c)) == 0) {
    flags |= kNfcStable;
  } else {
    UVersionInfo age{};
    u_charAge(static_cast<UChar32>(c), age);
    if (age[0] > 9 || (age[0] == 9 && (age[1] > 0 || age[2] > 0))) flags |= kNfcNewerThanUnicode9;
  }
  return flags;
}

// Stage one maps each 256-code-point block to a deduplicated block of flags in stage two; most blocks
// (unassigned planes, runs of CJK ideographs) are identical, so the table stays small and cache-friendly.
struct FlagTable {
  std::array<std::uint16_t, kBlocks> block_index{};
  std::vector<std::uint8_t> blocks;

  FlagTable() {
    std::map<std::array<std::uint8_t, kBlockSize>, std::uint16_t> seen;
    std::array<std::uint8_t, kBlockSize> block{};
    for (std::size_t b = 0; b < kBlocks; ++b) {
      for (char32_t i = 0; i < kBlockSize; ++i) block[i] = compute_flags(static_cast<char32_t>(b) * kBlockSize + i);
      auto [it, inserted] = seen.emplace(block, static_cast<std::uint16_t>(seen.size()));
      if (inserted) blocks.insert(blocks.end(), block.begin(), block.end());
      block_index[b] = it->second;
    }
  }
};

const FlagTable& table() {
  static const FlagTable instance;
  return instance;
}

}  // namespace

std::uint8_t char_flags(char32_t c) {
  if (c >= kCodePoints) return 0;
  const FlagTable& t = table();
  return t.blocks[(static_cast<std::size_t>(t.block_index[c >> kBlockBits]) << kBlockBits) | (c & (kBlockSize - 1))];
}

}  // namespace qwenrt::tokenizer
