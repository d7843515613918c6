// Test helper: writes safetensors files byte by byte, so tests can build valid checkpoints and
// corrupt them in controlled ways without Python or network access.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::model::testing {

struct TensorData {
  std::string name;
  std::string dtype;  // safetensors spelling: "BF16", "F32", "I8", ...
  std::vector<std::size_t> shape;
  std::string bytes;  // little-endian element data
};

// The bytes of a safetensors file holding tensors back to back in the order given, the header
// padded with spaces to a multiple of 8 as the reference writer does.
std::string safetensors_bytes(const std::vector<TensorData>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

// A file with this exact header text and data area, for malformed headers.
std::string safetensors_raw(std::string_view header_json, std::string_view data);

std::string f32_bytes(const std::vector<float>& values);
std::string bf16_bytes(const std::vector<float>& values);  // rounded with float_to_bf16
std::string f16_bytes(const std::vector<float>& values);   // rounded with float_to_f16

void write_file(const std::filesystem::path& path, std::string_view bytes);

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace qwenrt::model::testing
