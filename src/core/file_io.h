// Whole-file reads and writes and read-only memory maps, with errors that name the file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace qwenrt {

// Reads a whole file; throws Error naming the path when it cannot be opened or read.
std::string read_file(const std::filesystem::path& path);

// Writes data as the whole file, replacing it; throws Error naming the path when it cannot be written.
void write_file(const std::filesystem::path& path, std::string_view data);

// A read-only mmap of a whole file. Move-only; unmaps on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void release() noexcept;

  std::filesystem::path path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace qwenrt
