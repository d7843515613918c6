// Runs the qwenrt binary with given arguments and stdin, capturing stdout, stderr and the exit code.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace qwenrt::testing {

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line with stdin_text as its input.
inline CommandResult run_shell(const std::string& command, const std::string& stdin_text = "") {
  const auto dir = std::filesystem::temp_directory_path() / ("qwenrt_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "stdin", std::ios::binary) << stdin_text;
  const std::string cmd = command + " <'" + (dir / "stdin").string() + "' >'" + (dir / "stdout").string() + "' 2>'" +
                          (dir / "stderr").string() + "'";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "stdout"), slurp(dir / "stderr")};
}

inline CommandResult run_qwenrt(const std::string& args, const std::string& stdin_text = "") {
  return run_shell(std::string("'") + QWENRT_BINARY + "' " + args, stdin_text);
}

}  // namespace qwenrt::testing
