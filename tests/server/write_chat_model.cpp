// Writes the tiny chat model of tests/model/tiny_checkpoint.h (the whole Qwen vocabulary, random
// weights) into the folder given, for the tests that are not C++ (the web page's and the example
// clients') to serve: CTest runs it as their fixture. Its context of 4096 tokens leaves an answer
// room to run for a while, so that the page's test can stop one mid-way.
#include <exception>
#include <filesystem>
#include <iostream>

#include "model/tiny_checkpoint.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_chat_model DIR\n";
    return 2;
  }
  const std::filesystem::path tokenizer_dir = std::filesystem::path(QWENRT_TESTDATA_DIR) / "tokenizer";
  try {
    qwenrt::model::testing::write_tiny_chat_model(argv[1], tokenizer_dir, 4096);
  } catch (const std::exception& e) {
    std::cerr << "write_chat_model: " << e.what() << " (scripts/make_testdata.sh writes " << tokenizer_dir.string()
              << ")\n";
    return 1;
  }
  return 0;
}
