#include <iostream>

#include "cli/commands.h"
#include "core/error.h"
#include "kernels/cuda/device_info.h"

namespace {

std::string version_text() {
  std::string text = "qwenrt 0.1.0 (CUDA backend: ";
  if (!qwenrt::cuda::compiled_with_cuda()) return text + "not built)";
  const auto devices = qwenrt::cuda::list_devices();
  if (devices.empty()) return text + "built, no device found)";
  for (const auto& d : devices) {
    text += qwenrt::str_cat("[", d.index, "] ", d.name, " sm_", d.compute_major, d.compute_minor, " ",
                            d.memory_bytes >> 20, " MiB; ");
  }
  text.resize(text.size() - 2);
  return text + ")";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qwenrt: a fast inference engine and server for Qwen chat models"};
  app.set_version_flag("--version", version_text);
  app.require_subcommand(1);
  qwenrt::cli::add_run_command(app);
  qwenrt::cli::add_chat_command(app);
  qwenrt::cli::add_serve_command(app);
  qwenrt::cli::add_tokenize_command(app);
  qwenrt::cli::add_eval_command(app);
  qwenrt::cli::add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const qwenrt::Error& e) {
    std::cout.flush();
    std::cerr << "qwenrt: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
