// Reading tensors from safetensors files, the format Hugging Face checkpoints ship in: an 8-byte
// little-endian header length, a JSON header mapping each tensor name to {dtype, shape, data_offsets},
// then the raw tensor bytes. Files are memory-mapped and validated once when opened, so every view
// handed out afterwards lies inside the file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/file_io.h"
#include "model/tensor_view.h"

namespace qwenrt::model {

// The element size of a safetensors dtype name ("BF16" -> 2), nullopt for a name the format does not
// define.
std::optional<std::size_t> safetensors_element_size(std::string_view dtype_name);

// One .safetensors file. Opening it checks the header: its length lies within the file, it is valid
// JSON, every tensor has a known dtype and a shape whose byte size equals its data_offsets span, and
// the spans lie inside the data area without overlapping. Tensors of a dtype qwenrt cannot compute
// with (I8, F64, ...) are accepted here and rejected when looked up.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return file_.path(); }
  bool contains(std::string_view name) const;
  // Throws Error naming the file and the tensor when it is absent or its dtype is unsupported.
  TensorView tensor(std::string_view name) const;
  std::vector<std::string> tensor_names() const;  // sorted
  std::size_t tensor_count() const { return entries_.size(); }
  // The optional "__metadata__" string map ({"format": "pt"}).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  struct Entry {
    std::string dtype_name;      // as the header spells it
    std::optional<DType> dtype;  // nullopt for a known but unsupported dtype
    std::vector<std::size_t> shape;
    std::size_t begin = 0;  // byte range in the data area
    std::size_t end = 0;
  };

  void parse_header();
  // Validates one tensor's header entry against the size of the data area.
  static Entry parse_entry(const std::string& where, const std::string& name, const nlohmann::json& value,
                           std::size_t data_size);

  MappedFile file_;
  std::size_t data_start_ = 0;  // offset of the data area in the file
  std::map<std::string, Entry, std::less<>> entries_;
  std::map<std::string, std::string> metadata_;
};

// A checkpoint folder: DIR/model.safetensors, or DIR/model.safetensors.index.json whose weight_map
// names the shard file of each tensor. Each shard is opened once; every tensor the index lists must
// be in its shard.
class SafetensorsCheckpoint {
 public:
  explicit SafetensorsCheckpoint(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  bool contains(std::string_view name) const;
  // Throws Error naming the tensor and the file that should hold it.
  TensorView tensor(std::string_view name) const;
  std::vector<std::string> tensor_names() const;  // sorted
  std::size_t shard_count() const { return shards_.size(); }

 private:
  void open_index(const std::filesystem::path& index_path);

  std::filesystem::path dir_;
  std::filesystem::path index_path_;  // empty for a single-file checkpoint
  std::vector<SafetensorsFile> shards_;
  std::map<std::string, std::size_t, std::less<>> shard_of_;  // tensor name -> index in shards_
};

}  // namespace qwenrt::model
