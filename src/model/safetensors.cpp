#include "model/safetensors.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/error.h"
#include "model/json_fields.h"

namespace qwenrt::model {

namespace {

// Every dtype name the safetensors format defines that has a whole-byte element size, so that files
// holding e.g. I8 or F64 tensors are measured and validated, and get a clear "unsupported" message
// instead of an "unknown dtype" one.
struct StorageType {
  std::string_view name;
  std::size_t size;
  std::optional<DType> dtype;
};
constexpr StorageType kStorageTypes[] = {
    {"F32", 4, DType::kF32},      {"F16", 2, DType::kF16},      {"BF16", 2, DType::kBF16},
    {"F64", 8, std::nullopt},     {"I64", 8, std::nullopt},     {"U64", 8, std::nullopt},
    {"I32", 4, std::nullopt},     {"U32", 4, std::nullopt},     {"I16", 2, std::nullopt},
    {"U16", 2, std::nullopt},     {"I8", 1, std::nullopt},      {"U8", 1, std::nullopt},
    {"BOOL", 1, std::nullopt},    {"F8_E4M3", 1, std::nullopt}, {"F8_E5M2", 1, std::nullopt},
    {"F8_E8M0", 1, std::nullopt},
};

// The reference implementation's limit: a larger header is a corrupt length, not a real checkpoint.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();

struct Span {
  std::size_t begin;
  std::size_t end;
  const std::string* name;
};

std::string span_string(std::size_t begin, std::size_t end) { return str_cat("[", begin, ", ", end, "]"); }

}  // namespace

std::optional<std::size_t> safetensors_element_size(std::string_view dtype_name) {
  for (const StorageType& t : kStorageTypes) {
    if (t.name == dtype_name) return t.size;
  }
  return std::nullopt;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : file_(path) { parse_header(); }

SafetensorsFile::Entry SafetensorsFile::parse_entry(const std::string& where, const std::string& name,
                                                    const nlohmann::json& value, std::size_t data_size) {
  auto bad = [&](const auto&... what) { fail(where, ": tensor ", name, ": ", what...); };
  if (!value.is_object()) bad("expected an object with dtype, shape and data_offsets");
  const auto dtype_it = value.find("dtype");
  const auto shape_it = value.find("shape");
  const auto offsets_it = value.find("data_offsets");
  if (dtype_it == value.end() || !dtype_it->is_string()) bad("missing or non-string dtype");
  if (shape_it == value.end() || !shape_it->is_array()) bad("missing or non-list shape");
  if (offsets_it == value.end() || !offsets_it->is_array() || offsets_it->size() != 2 ||
      !(*offsets_it)[0].is_number_unsigned() || !(*offsets_it)[1].is_number_unsigned()) {
    bad("data_offsets must be a list of two non-negative integers");
  }

  Entry entry;
  entry.dtype_name = dtype_it->get<std::string>();
  const auto type = std::find_if(std::begin(kStorageTypes), std::end(kStorageTypes),
                                 [&](const StorageType& t) { return t.name == entry.dtype_name; });
  if (type == std::end(kStorageTypes)) bad("unknown dtype \"", entry.dtype_name, "\"");
  entry.dtype = type->dtype;

  std::size_t bytes = type->size;
  for (const nlohmann::json& dim : *shape_it) {
    if (!dim.is_number_unsigned()) bad("shape must list non-negative integers");
    const std::uint64_t extent = dim.get<std::uint64_t>();
    if (extent > kSizeMax || (extent != 0 && bytes > kSizeMax / extent)) bad("shape is too large");
    entry.shape.push_back(static_cast<std::size_t>(extent));
    bytes *= static_cast<std::size_t>(extent);
  }
  const std::uint64_t begin = (*offsets_it)[0].get<std::uint64_t>();
  const std::uint64_t end = (*offsets_it)[1].get<std::uint64_t>();
  if (begin > end) bad("data_offsets ", span_string(begin, end), " end before they begin");
  if (end - begin != bytes) {
    bad("shape ", shape_string(entry.shape), " of ", entry.dtype_name, " needs ", bytes,
        " bytes but data_offsets ", span_string(begin, end), " hold ", end - begin);
  }
  if (end > data_size) {
    bad("data_offsets ", span_string(begin, end), " run past the end of the data (", data_size,
        " bytes): the file is truncated or corrupt");
  }
  entry.begin = static_cast<std::size_t>(begin);
  entry.end = static_cast<std::size_t>(end);
  return entry;
}

void SafetensorsFile::parse_header() {
  const std::string where = file_.path().string();
  if (file_.size() < 8) {
    fail(where, ": ", file_.size(), " bytes is too small for a safetensors file (truncated download?)");
  }
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) {  // little-endian u64
    header_length = (header_length << 8) | std::to_integer<std::uint64_t>(file_.data()[i]);
  }
  if (header_length > file_.size() - 8) {
    fail(where, ": header length ", header_length, " runs past the end of the file (", file_.size(),
         " bytes): truncated or not a safetensors file");
  }
  if (header_length > kMaxHeaderBytes) {
    fail(where, ": header length ", header_length, " is implausibly large");
  }
  data_start_ = 8 + static_cast<std::size_t>(header_length);
  const std::size_t data_size = file_.size() - data_start_;

  const nlohmann::json header = parse_json(file_.view().substr(8, header_length), where + ": header");
  if (!header.is_object()) fail(where, ": header is not a JSON object but ", json_type_name(header));

  std::vector<Span> spans;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail(where, ": __metadata__ must be an object of strings");
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) {
          fail(where, ": __metadata__.", key, ": expected a string, got ", json_type_name(text));
        }
        metadata_.emplace(key, text.get<std::string>());
      }
      continue;
    }
    Entry entry = parse_entry(where, name, value, data_size);
    const std::size_t bytes = entry.end - entry.begin;
    const auto inserted = entries_.emplace(name, std::move(entry)).first;
    if (bytes > 0) spans.push_back({inserted->second.begin, inserted->second.end, &inserted->first});
  }

  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].begin < spans[i - 1].end) {
      fail(where, ": tensors ", *spans[i - 1].name, " ", span_string(spans[i - 1].begin, spans[i - 1].end),
           " and ", *spans[i].name, " ", span_string(spans[i].begin, spans[i].end), " overlap");
    }
  }
}

bool SafetensorsFile::contains(std::string_view name) const { return entries_.find(name) != entries_.end(); }

TensorView SafetensorsFile::tensor(std::string_view name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) fail(file_.path().string(), ": no tensor named ", name);
  const Entry& entry = it->second;
  if (!entry.dtype) {
    fail(file_.path().string(), ": tensor ", name, " has dtype ", entry.dtype_name,
         ", which is not supported (supported: F32, F16, BF16)");
  }
  return TensorView{it->first, *entry.dtype, entry.shape, file_.data() + data_start_ + entry.begin,
                    entry.end - entry.begin};
}

std::vector<std::string> SafetensorsFile::tensor_names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

SafetensorsCheckpoint::SafetensorsCheckpoint(const std::filesystem::path& dir) : dir_(dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    fail(dir.string(), ": not a directory (expected a checkpoint folder)");
  }
  const std::filesystem::path single = dir / "model.safetensors";
  const std::filesystem::path index = dir / "model.safetensors.index.json";
  if (std::filesystem::exists(single, ec)) {
    shards_.emplace_back(single);
    for (std::string& name : shards_[0].tensor_names()) shard_of_.emplace(std::move(name), 0);
    return;
  }
  if (std::filesystem::exists(index, ec)) {
    open_index(index);
    return;
  }
  const bool has_bin = std::filesystem::exists(dir / "pytorch_model.bin", ec) ||
                       std::filesystem::exists(dir / "pytorch_model.bin.index.json", ec);
  fail(dir.string(), ": no model.safetensors or model.safetensors.index.json",
       has_bin ? " (PyTorch .bin checkpoints are not supported: convert them to safetensors)" : "");
}

void SafetensorsCheckpoint::open_index(const std::filesystem::path& index_path) {
  index_path_ = index_path;
  const std::string where = index_path.string();
  const nlohmann::json index = parse_json(read_file(index_path), where);
  const JsonFields weight_map = JsonFields(index, where).get_object("weight_map");
  if (weight_map.json().empty()) fail(where, ": weight_map is empty");

  std::map<std::string, std::size_t> shard_by_file;
  for (const auto& [name, value] : weight_map.json().items()) {
    if (!value.is_string()) {
      weight_map.fail_at(name, str_cat("expected a shard file name, got ", json_type_name(value)));
    }
    const std::string file = value.get<std::string>();
    // A shard must be a file in the checkpoint folder: a path would let an index read anywhere.
    if (file.empty() || file == "." || file == ".." || std::filesystem::path(file).filename() != file) {
      weight_map.fail_at(name, str_cat("\"", file, "\" is not a file name in the checkpoint folder"));
    }
    auto [shard, is_new] = shard_by_file.emplace(file, shards_.size());
    if (is_new) {
      const std::filesystem::path shard_path = dir_ / file;
      std::error_code ec;
      if (!std::filesystem::exists(shard_path, ec)) {
        fail(where, ": shard ", file, " (holding ", name, ") is missing from ", dir_.string());
      }
      shards_.emplace_back(shard_path);
    }
    if (!shards_[shard->second].contains(name)) {
      fail(where, ": tensor ", name, " is mapped to ", file, ", which does not contain it");
    }
    shard_of_.emplace(name, shard->second);
  }
}

bool SafetensorsCheckpoint::contains(std::string_view name) const {
  return shard_of_.find(name) != shard_of_.end();
}

TensorView SafetensorsCheckpoint::tensor(std::string_view name) const {
  const auto it = shard_of_.find(name);
  if (it != shard_of_.end()) return shards_[it->second].tensor(name);
  if (index_path_.empty()) fail(shards_[0].path().string(), ": no tensor named ", name);
  fail(index_path_.string(), ": no tensor named ", name, " in weight_map");
}

std::vector<std::string> SafetensorsCheckpoint::tensor_names() const {
  std::vector<std::string> names;
  names.reserve(shard_of_.size());
  for (const auto& [name, shard] : shard_of_) names.push_back(name);
  return names;
}

}  // namespace qwenrt::model
