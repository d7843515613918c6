#include "model/tensor_view.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "safetensors_writer.h"

namespace qwenrt::model {
namespace {

TEST(TensorView, SlicesRowsAndConvertsThem) {
  const std::string bytes = testing::bf16_bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  const TensorView t{
      "w", DType::kBF16, {4, 3}, reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()};
  EXPECT_EQ(shape_string(t.shape), "[4, 3]");
  EXPECT_EQ(shape_string({}), "[]");

  const TensorView middle = slice_rows(t, 1, 2, "w[1:3]");
  EXPECT_EQ(middle.name, "w[1:3]");
  EXPECT_EQ(middle.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(middle.data, t.data + 6);
  EXPECT_EQ(to_float(middle), (std::vector<float>{4, 5, 6, 7, 8, 9}));

  std::vector<float> row(3);
  row_to_float(t, 3, row);
  EXPECT_EQ(row, (std::vector<float>{10, 11, 12}));

  try {
    slice_rows(t, 3, 2, "x");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "w: rows [3, 5) are outside its shape [4, 3]");
  }
  EXPECT_THROW(row_to_float(t, 4, row), Error);
  std::vector<float> short_row(2);
  try {
    row_to_float(t, 0, short_row);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "w: rows have 3 elements, output holds 2");
  }
}

}  // namespace
}  // namespace qwenrt::model
