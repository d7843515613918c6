#include "core/file_io.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"

namespace qwenrt {
namespace {

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(FileIo, ReadsAndMapsWholeFile) {
  const auto path = temp_file("qwenrt_file_io_test.bin", std::string("abc\0def", 7));
  EXPECT_EQ(read_file(path), std::string("abc\0def", 7));
  MappedFile mapped(path);
  EXPECT_EQ(mapped.size(), 7u);
  EXPECT_EQ(mapped.view(), std::string_view("abc\0def", 7));
  MappedFile moved = std::move(mapped);
  EXPECT_EQ(moved.size(), 7u);
  std::filesystem::remove(path);
}

TEST(FileIo, WritesAndReplacesWholeFile) {
  const auto path = temp_file("qwenrt_file_io_write.txt", "a longer first content");
  write_file(path, std::string("new\0data", 8));
  EXPECT_EQ(read_file(path), std::string("new\0data", 8));
  std::filesystem::remove(path);
  try {
    write_file("/nonexistent/qwenrt/out.json", "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/qwenrt/out.json: cannot write"), std::string::npos) << e.what();
  }
}

TEST(FileIo, ErrorsNameThePath) {
  try {
    read_file("/nonexistent/qwenrt/file.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/qwenrt/file.json"), std::string::npos);
  }
  EXPECT_THROW(MappedFile("/nonexistent/x.safetensors"), Error);
  EXPECT_THROW(read_file(std::filesystem::temp_directory_path()), Error);
}

}  // namespace
}  // namespace qwenrt
