#include "model/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "tiny_checkpoint.h"

namespace qwenrt::model {
namespace {

using testing::safetensors_bytes;
using testing::safetensors_raw;
using testing::TempDir;
using testing::TensorData;
using testing::write_file;

// The Error message that opening bytes as a safetensors file gives; fails the test on success.
std::string open_error(const TempDir& dir, std::string_view bytes) {
  const auto path = dir.path() / "bad.safetensors";
  write_file(path, bytes);
  try {
    SafetensorsFile file(path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an Error";
  return "";
}

template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an Error";
  return "";
}

TEST(SafetensorsFile, ReadsEveryFloatDtypeAndMetadata) {
  TempDir dir;
  const std::vector<float> a = {1.5f, -2.0f, 0.25f, 3.0f, -0.125f, 100.0f};
  const std::vector<float> b = {1.0f, -1.0f, 0.5f, 65504.0f};
  const std::vector<float> c = {0.1f, -0.2f, 3.0e-5f, -65504.0f};
  const std::vector<TensorData> tensors = {
      {"a.weight", "F32", {2, 3}, testing::f32_bytes(a)},
      {"b.weight", "BF16", {4}, testing::bf16_bytes(b)},
      {"c.weight", "F16", {2, 2}, testing::f16_bytes(c)},
      {"counts", "I8", {3}, std::string("\x01\x02\x03", 3)},
      {"empty", "F32", {0, 5}, ""},
      {"scalar", "F32", {}, testing::f32_bytes({7.0f})},
  };
  const auto path = dir.path() / "model.safetensors";
  write_file(path, safetensors_bytes(tensors, {{"format", "pt"}}));

  SafetensorsFile file(path);
  EXPECT_EQ(file.path(), path);
  EXPECT_EQ(file.tensor_count(), 6u);
  EXPECT_EQ(file.tensor_names(),
            (std::vector<std::string>{"a.weight", "b.weight", "c.weight", "counts", "empty", "scalar"}));
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_TRUE(file.contains("counts"));
  EXPECT_FALSE(file.contains("missing"));

  const TensorView ta = file.tensor("a.weight");
  EXPECT_EQ(ta.name, "a.weight");
  EXPECT_EQ(ta.dtype, DType::kF32);
  EXPECT_EQ(ta.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(ta.bytes, 24u);
  EXPECT_EQ(ta.rows(), 2u);
  EXPECT_EQ(ta.row_elements(), 3u);
  EXPECT_EQ(to_float(ta), a);
  EXPECT_EQ(std::memcmp(ta.data, tensors[0].bytes.data(), 24), 0);

  const TensorView tb = file.tensor("b.weight");
  EXPECT_EQ(tb.dtype, DType::kBF16);
  std::vector<float> expected_b;
  for (float v : b) expected_b.push_back(bf16_to_float(float_to_bf16(v)));
  EXPECT_EQ(to_float(tb), expected_b);

  const TensorView tc = file.tensor("c.weight");
  EXPECT_EQ(tc.dtype, DType::kF16);
  std::vector<float> row(2);
  row_to_float(tc, 1, row);
  EXPECT_EQ(row, (std::vector<float>{f16_to_float(float_to_f16(3.0e-5f)), -65504.0f}));

  EXPECT_EQ(file.tensor("empty").bytes, 0u);
  EXPECT_EQ(file.tensor("empty").elements(), 0u);
  EXPECT_EQ(to_float(file.tensor("scalar")), std::vector<float>{7.0f});

  EXPECT_EQ(
      error_of([&] { file.tensor("counts"); }),
      path.string() + ": tensor counts has dtype I8, which is not supported (supported: F32, F16, BF16)");
  EXPECT_EQ(error_of([&] { file.tensor("missing"); }), path.string() + ": no tensor named missing");
}

TEST(SafetensorsFile, TruncatedFileNamesFileAndTensor) {
  TempDir dir;
  const std::string bytes = safetensors_bytes(
      {{"first", "F32", {4}, std::string(16, '\0')}, {"second", "BF16", {8}, std::string(16, '\0')}});
  const std::string message = open_error(dir, bytes.substr(0, bytes.size() - 5));
  EXPECT_EQ(message,
            (dir.path() / "bad.safetensors").string() +
                ": tensor second: data_offsets [16, 32] run past the end of the data (27 bytes): the file is "
                "truncated or corrupt");
  // Cut inside the header: its length now points past the end.
  EXPECT_NE(open_error(dir, bytes.substr(0, 20)).find("runs past the end of the file (20 bytes)"),
            std::string::npos);
}

TEST(SafetensorsFile, RejectsHeaderLengthPastEndAndTinyFiles) {
  TempDir dir;
  const std::string where = (dir.path() / "bad.safetensors").string();
  std::string bytes = safetensors_raw("{}", "");
  bytes[0] = '\x40';  // claims a 64-byte header in a 10-byte file
  EXPECT_EQ(
      open_error(dir, bytes),
      where +
          ": header length 64 runs past the end of the file (10 bytes): truncated or not a safetensors file");
  std::string huge(8, '\xFF');
  EXPECT_NE(open_error(dir, huge + "{}").find("header length 18446744073709551615 runs past"),
            std::string::npos);
  EXPECT_EQ(open_error(dir, std::string("\x02\x00\x00", 3)),
            where + ": 3 bytes is too small for a safetensors file (truncated download?)");
  EXPECT_EQ(open_error(dir, ""),
            where + ": 0 bytes is too small for a safetensors file (truncated download?)");
}

TEST(SafetensorsFile, RejectsCorruptHeaderJson) {
  TempDir dir;
  const std::string where = (dir.path() / "bad.safetensors").string();
  EXPECT_TRUE(open_error(dir, safetensors_raw("{\"a\": {\"dtype\": ", ""))
                  .starts_with(where + ": header: invalid JSON ("));
  EXPECT_TRUE(
      open_error(dir, safetensors_raw("\xFF\xFE", "")).starts_with(where + ": header: invalid JSON ("));
  EXPECT_EQ(open_error(dir, safetensors_raw("[1, 2]", "")),
            where + ": header is not a JSON object but array");
  EXPECT_EQ(open_error(dir, safetensors_raw("{\"__metadata__\": {\"format\": 1}}", "")),
            where + ": __metadata__.format: expected a string, got integer");
}

TEST(SafetensorsFile, RejectsBadTensorEntries) {
  TempDir dir;
  const std::string where = (dir.path() / "bad.safetensors").string();
  const std::string data(16, '\0');
  auto error = [&](const char* entry) {
    return open_error(dir, safetensors_raw(std::string("{\"t\": ") + entry + "}", data));
  };
  EXPECT_EQ(error("[1]"), where + ": tensor t: expected an object with dtype, shape and data_offsets");
  EXPECT_EQ(error(R"({"shape": [4], "data_offsets": [0, 16]})"),
            where + ": tensor t: missing or non-string dtype");
  EXPECT_EQ(error(R"({"dtype": "Q4_K", "shape": [4], "data_offsets": [0, 16]})"),
            where + ": tensor t: unknown dtype \"Q4_K\"");
  EXPECT_EQ(error(R"({"dtype": "F32", "shape": 4, "data_offsets": [0, 16]})"),
            where + ": tensor t: missing or non-list shape");
  EXPECT_EQ(error(R"({"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]})"),
            where + ": tensor t: shape must list non-negative integers");
  EXPECT_EQ(error(R"({"dtype": "F32", "shape": [4], "data_offsets": [0, 8, 16]})"),
            where + ": tensor t: data_offsets must be a list of two non-negative integers");
  EXPECT_EQ(error(R"({"dtype": "F32", "shape": [0], "data_offsets": [16, 8]})"),
            where + ": tensor t: data_offsets [16, 8] end before they begin");
  EXPECT_EQ(error(R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 16]})"),
            where + ": tensor t: shape [3] of F32 needs 12 bytes but data_offsets [0, 16] hold 16");
  EXPECT_EQ(error(R"({"dtype": "BF16", "shape": [4294967296, 4294967296], "data_offsets": [0, 16]})"),
            where + ": tensor t: shape is too large");
  // A known dtype qwenrt cannot compute with still has its size checked.
  EXPECT_EQ(error(R"({"dtype": "F64", "shape": [4], "data_offsets": [0, 16]})"),
            where + ": tensor t: shape [4] of F64 needs 32 bytes but data_offsets [0, 16] hold 16");
}

TEST(SafetensorsFile, RejectsOffsetsOutsideDataAndOverlaps) {
  TempDir dir;
  const std::string where = (dir.path() / "bad.safetensors").string();
  EXPECT_EQ(
      open_error(dir, safetensors_raw(R"({"t": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})",
                                      std::string(16, '\0'))),
      where +
          ": tensor t: data_offsets [8, 24] run past the end of the data (16 bytes): the file is truncated "
          "or corrupt");
  EXPECT_EQ(open_error(dir, safetensors_raw(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                                            std::string(12, '\0'))),
            where + ": tensors a [0, 8] and b [4, 12] overlap");
  // Touching spans and empty tensors anywhere are fine.
  const auto path = dir.path() / "ok.safetensors";
  write_file(path, safetensors_raw(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                       "b": {"dtype": "F16", "shape": [4], "data_offsets": [8, 16]},
                                       "c": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}})",
                                   std::string(16, '\0')));
  EXPECT_EQ(SafetensorsFile(path).tensor_count(), 3u);
}

TEST(SafetensorsCheckpoint, OpensSingleFile) {
  TempDir dir;
  write_file(dir.path() / "model.safetensors",
             safetensors_bytes({{"x", "F32", {2}, testing::f32_bytes({1, 2})}}));
  SafetensorsCheckpoint checkpoint(dir.path());
  EXPECT_EQ(checkpoint.shard_count(), 1u);
  EXPECT_EQ(checkpoint.tensor_names(), std::vector<std::string>{"x"});
  EXPECT_EQ(to_float(checkpoint.tensor("x")), (std::vector<float>{1, 2}));
  EXPECT_EQ(error_of([&] { checkpoint.tensor("y"); }),
            (dir.path() / "model.safetensors").string() + ": no tensor named y");
}

TEST(SafetensorsCheckpoint, OpensShardedCheckpointThroughIndex) {
  TempDir dir;
  const testing::TinyModel model = testing::tiny_model(ModelFamily::kQwen2);
  const std::vector<TensorData> tensors = testing::tiny_tensors(model);
  testing::write_tiny_checkpoint(dir.path(), model, 3);
  SafetensorsCheckpoint checkpoint(dir.path());
  EXPECT_EQ(checkpoint.shard_count(), 3u);
  EXPECT_EQ(checkpoint.tensor_names().size(), tensors.size());
  for (const TensorData& t : tensors) {
    const TensorView view = checkpoint.tensor(t.name);
    ASSERT_EQ(view.bytes, t.bytes.size()) << t.name;
    EXPECT_EQ(std::memcmp(view.data, t.bytes.data(), view.bytes), 0) << t.name;
  }
  EXPECT_EQ(error_of([&] { checkpoint.tensor("lm_head.bias"); }),
            (dir.path() / "model.safetensors.index.json").string() +
                ": no tensor named lm_head.bias in weight_map");
}

TEST(SafetensorsCheckpoint, RejectsMissingShardsAndMisplacedTensors) {
  TempDir dir;
  testing::write_tiny_checkpoint(dir.path(), testing::tiny_model(ModelFamily::kQwen2), 2);
  const auto index_path = dir.path() / "model.safetensors.index.json";
  const std::string index_text = read_file(index_path);
  nlohmann::json index = nlohmann::json::parse(index_text);
  const std::string index_where = index_path.string();

  // A tensor listed for the wrong shard.
  index["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors";
  write_file(index_path, index.dump());
  EXPECT_EQ(error_of([&] { SafetensorsCheckpoint c(dir.path()); }),
            index_where +
                ": tensor model.norm.weight is mapped to model-00001-of-00002.safetensors, which does not "
                "contain it");

  // A shard path leaving the folder.
  index = nlohmann::json::parse(index_text);
  index["weight_map"]["model.norm.weight"] = "../model-00002-of-00002.safetensors";
  write_file(index_path, index.dump());
  EXPECT_EQ(error_of([&] { SafetensorsCheckpoint c(dir.path()); }),
            index_where +
                ": weight_map.model.norm.weight: \"../model-00002-of-00002.safetensors\" is not a file name "
                "in the checkpoint folder");

  index["weight_map"] = "model.safetensors";
  write_file(index_path, index.dump());
  EXPECT_EQ(error_of([&] { SafetensorsCheckpoint c(dir.path()); }),
            index_where + ": weight_map: expected an object, got string");
  write_file(index_path, "{\"metadata\": {}}");
  EXPECT_EQ(error_of([&] { SafetensorsCheckpoint c(dir.path()); }),
            index_where + ": missing key \"weight_map\"");

  // A shard that is not there.
  write_file(index_path, index_text);
  std::filesystem::remove(dir.path() / "model-00002-of-00002.safetensors");
  const std::string message = error_of([&] { SafetensorsCheckpoint c(dir.path()); });
  EXPECT_TRUE(message.starts_with(index_where + ": shard model-00002-of-00002.safetensors (holding "))
      << message;
  EXPECT_TRUE(message.ends_with(") is missing from " + dir.path().string())) << message;
}

TEST(SafetensorsCheckpoint, CorruptShardNamesItsFile) {
  TempDir dir;
  const testing::TinyModel model = testing::tiny_model(ModelFamily::kQwen3);
  testing::write_tiny_checkpoint(dir.path(), model, 2);
  const auto shard = dir.path() / "model-00002-of-00002.safetensors";
  const std::string bytes = read_file(shard);
  write_file(shard, bytes.substr(0, bytes.size() - 1));
  const std::string last_tensor = testing::tiny_tensors(model).back().name;
  const std::string message = error_of([&] { SafetensorsCheckpoint c(dir.path()); });
  EXPECT_TRUE(message.starts_with(shard.string() + ": tensor " + last_tensor + ": data_offsets")) << message;
}

TEST(SafetensorsCheckpoint, NeedsASafetensorsCheckpointFolder) {
  TempDir dir;
  EXPECT_EQ(error_of([&] { SafetensorsCheckpoint c(dir.path()); }),
            dir.path().string() + ": no model.safetensors or model.safetensors.index.json");
  write_file(dir.path() / "pytorch_model.bin", "x");
  EXPECT_EQ(error_of([&] { SafetensorsCheckpoint c(dir.path()); }),
            dir.path().string() +
                ": no model.safetensors or model.safetensors.index.json (PyTorch .bin checkpoints are "
                "not supported: convert them to safetensors)");
  EXPECT_EQ(error_of([&] { SafetensorsCheckpoint c(dir.path() / "pytorch_model.bin"); }),
            (dir.path() / "pytorch_model.bin").string() + ": not a directory (expected a checkpoint folder)");
}

}  // namespace
}  // namespace qwenrt::model
