#include "model/safetensors_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/safetensors.h"
#include "safetensors_writer.h"

namespace qwenrt::model {
namespace {

using testing::TempDir;

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

TEST(SafetensorsWriter, StreamedPiecesReadBackAsTheDeclaredTensors) {
  TempDir dir;
  const auto path = dir.path() / "model.safetensors";
  {
    SafetensorsWriter writer(path,
                             {{"a", "F32", {2, 3}}, {"codes", "I8", {5}}, {"b", "BF16", {2}}, {"empty", "U8", {0}}},
                             {{"format", "pt"}});
    const std::string a = testing::f32_bytes({1, 2, 3, 4, 5, 6});
    const std::string codes("\x01\xff\x7f\x80\x00", 5);
    const std::string b = testing::bf16_bytes({0.5f, -2.0f});
    EXPECT_EQ(writer.current_tensor(), "a");
    writer.write(bytes_of(a.substr(0, 10)));  // a piece that ends inside a float
    EXPECT_EQ(writer.current_tensor(), "a");
    writer.write(bytes_of(a.substr(10) + codes.substr(0, 2)));  // one that runs into the next tensor
    EXPECT_EQ(writer.current_tensor(), "codes");
    writer.write(bytes_of(codes.substr(2) + b));
    EXPECT_EQ(writer.current_tensor(), "");
    EXPECT_FALSE(std::filesystem::exists(path));  // only under its partial name until finished
    writer.finish();
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "model.safetensors.partial"));
  const SafetensorsFile file(path);
  EXPECT_EQ(file.tensor_names(), (std::vector<std::string>{"a", "b", "codes", "empty"}));
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(to_float(file.tensor("a")), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(file.tensor("a").shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(to_float(file.tensor("b")), (std::vector<float>{0.5f, -2.0f}));
  // The I8 tensor is measured and validated with the rest; qwenrt's float views refuse it by name.
  try {
    file.tensor("codes");
    FAIL() << "an I8 tensor as a float view";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("I8"), std::string::npos) << e.what();
  }
}

TEST(SafetensorsWriter, TooManyOrTooFewBytesAreErrorsAndLeaveNoFile) {
  TempDir dir;
  const auto path = dir.path() / "w.safetensors";
  {
    SafetensorsWriter writer(path, {{"x", "F16", {3}}, {"y", "U8", {2}}});
    writer.write(bytes_of(std::string(6, 'a')));
    EXPECT_THROW(writer.write(bytes_of(std::string(3, 'b'))), Error);
    writer.write(bytes_of(std::string(1, 'b')));
    try {
      writer.finish();
      FAIL() << "finished with a byte missing";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("tensor y incomplete"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "w.safetensors.partial"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "w.safetensors.partial"));
}

TEST(SafetensorsWriter, RejectsUnknownDtypesAndRepeatedNames) {
  TempDir dir;
  EXPECT_THROW(SafetensorsWriter(dir.path() / "a.safetensors", {{"x", "F12", {1}}}), Error);
  EXPECT_THROW(SafetensorsWriter(dir.path() / "b.safetensors", {{"x", "F32", {1}}, {"x", "F32", {1}}}), Error);
  EXPECT_THROW(SafetensorsWriter(dir.path() / "c.safetensors", {{"__metadata__", "F32", {1}}}), Error);
  EXPECT_THROW(SafetensorsWriter(dir.path() / "no-such-dir" / "d.safetensors", {{"x", "F32", {1}}}), Error);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace qwenrt::model
