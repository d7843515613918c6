#include "model/safetensors_writer.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "core/error.h"
#include "model/safetensors.h"

namespace qwenrt::model {

namespace {

const std::string kNoTensor;

}  // namespace

std::string safetensors_header_bytes(std::string header_json) {
  header_json.append((8 - header_json.size() % 8) % 8, ' ');
  const std::uint64_t length = header_json.size();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  return bytes + header_json;
}

SafetensorsWriter::SafetensorsWriter(std::filesystem::path path, std::vector<TensorSpec> tensors,
                                     const std::map<std::string, std::string>& metadata)
    : path_(std::move(path)), partial_(path_.string() + ".partial"), tensors_(std::move(tensors)) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string, std::less<>> names;
  std::size_t offset = 0;
  for (const TensorSpec& t : tensors_) {
    const std::optional<std::size_t> element = safetensors_element_size(t.dtype);
    if (!element) fail(path_.string(), ": tensor ", t.name, " has unknown dtype \"", t.dtype, "\"");
    if (t.name.empty() || t.name == "__metadata__" || !names.insert(t.name).second) {
      fail(path_.string(), ": tensor name \"", t.name, "\" is empty, reserved or given twice");
    }
    std::size_t bytes = *element;
    for (const std::size_t d : t.shape) bytes *= d;
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    ends_.push_back(offset);
  }
  const std::string prefix = safetensors_header_bytes(header.dump());
  out_.open(partial_, std::ios::binary | std::ios::trunc);
  if (!out_) fail(partial_.string(), ": cannot create the file");
  out_.write(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  if (!out_) fail(partial_.string(), ": cannot write the header");
}

SafetensorsWriter::~SafetensorsWriter() {
  if (finished_) return;
  out_.close();
  std::error_code ignored;
  std::filesystem::remove(partial_, ignored);
}

const std::string& SafetensorsWriter::current_tensor() const {
  const auto it = std::upper_bound(ends_.begin(), ends_.end(), written_);
  return it == ends_.end() ? kNoTensor : tensors_[static_cast<std::size_t>(it - ends_.begin())].name;
}

void SafetensorsWriter::write(std::span<const std::byte> bytes) {
  const std::size_t total = ends_.empty() ? 0 : ends_.back();
  if (bytes.size() > total - written_) {
    fail(path_.string(), ": ", bytes.size(), " more bytes after ", written_, " of ", total,
         " (tensor ", current_tensor().empty() ? "none left" : current_tensor(), ")");
  }
  out_.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out_) fail(partial_.string(), ": write failed after ", written_, " bytes of data (disk full?)");
  written_ += bytes.size();
}

void SafetensorsWriter::finish() {
  const std::size_t total = ends_.empty() ? 0 : ends_.back();
  if (written_ != total) {
    fail(path_.string(), ": only ", written_, " of ", total, " bytes of data written (tensor ", current_tensor(),
         " incomplete)");
  }
  out_.flush();
  out_.close();
  if (!out_) fail(partial_.string(), ": cannot flush the file");
  std::error_code error;
  std::filesystem::rename(partial_, path_, error);
  if (error) fail(path_.string(), ": cannot move ", partial_.filename().string(), " into place: ", error.message());
  finished_ = true;
}

}  // namespace qwenrt::model
