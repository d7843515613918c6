// Writing safetensors files, as `qwenrt build` writes an engine's weights: every tensor's name, dtype
// and shape are declared up front (they make the header), then the tensors' bytes are streamed in the
// declared order, so a checkpoint of many gigabytes never has to sit in memory. The file is written
// as PATH.partial and renamed to PATH only by finish(): an interrupted build leaves no file that
// looks complete.
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace qwenrt::model {

struct TensorSpec {
  std::string name;
  std::string dtype;  // the safetensors spelling: "BF16", "F32", "I8", "U8", ...
  std::vector<std::size_t> shape;
};

// The bytes a safetensors file starts with, for this header JSON: its length as 8 little-endian bytes,
// then the text padded with spaces to a multiple of 8, as the reference writer pads it (so the data
// area that follows is 8-byte aligned).
std::string safetensors_header_bytes(std::string header_json);

class SafetensorsWriter {
 public:
  // Writes the header. Throws Error for an unknown dtype, a repeated or empty name, or a file that
  // cannot be created.
  SafetensorsWriter(std::filesystem::path path, std::vector<TensorSpec> tensors,
                    const std::map<std::string, std::string>& metadata = {});
  SafetensorsWriter(const SafetensorsWriter&) = delete;
  SafetensorsWriter& operator=(const SafetensorsWriter&) = delete;
  // Removes the partial file unless finish() completed.
  ~SafetensorsWriter();

  // Appends bytes to the tensors in declared order; a tensor may come in several pieces and a piece
  // may run into the next tensor. Throws Error past the last tensor's end or when the write fails.
  void write(std::span<const std::byte> bytes);
  // The name of the tensor the next byte belongs to (empty when every byte has been written).
  const std::string& current_tensor() const;
  // Checks every declared byte was written, flushes, and renames the file into place.
  void finish();

 private:
  std::filesystem::path path_;
  std::filesystem::path partial_;
  std::vector<TensorSpec> tensors_;
  std::vector<std::size_t> ends_;  // each tensor's end offset in the data area
  std::size_t written_ = 0;        // bytes of the data area written so far
  std::ofstream out_;
  bool finished_ = false;
};

}  // namespace qwenrt::model
