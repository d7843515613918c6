// Opens a loaded model on the device a command asks for: the CPU transformer with its thread pool, or
// the CUDA transformer with its KV cache sized from a share of the GPU's memory. Every command that
// runs the model (run, chat, serve, eval, bench) goes through here, so they all size and report the
// same way.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/thread_pool.h"
#include "engine/backend.h"
#include "engine/loaded_model.h"

namespace qwenrt::engine {

enum class DeviceKind { kCpu, kCuda };

// "cpu" or "cuda".
const char* device_kind_name(DeviceKind device);

struct BackendOptions {
  DeviceKind device = DeviceKind::kCpu;
  std::size_t block_size = 16;  // tokens per KV block
  // CPU: tokens the KV cache holds, all sequences together (blocks rounded up).
  std::size_t cpu_kv_tokens = 8192;
  std::size_t cpu_threads = 0;  // 0: every core
  // CUDA: the share of the device's whole memory qwenrt may hold (weights, activations, KV blocks), as
  // vLLM's --gpu-memory-utilization; the KV cache gets what the weights and activations leave.
  double gpu_memory_utilization = 0.9;
  // CUDA: the most tokens one forward step carries; their activations are set aside before the KV
  // blocks are counted.
  std::size_t max_step_tokens = 2048;
  // CUDA: a fixed KV block count instead of the share above (0: from the share).
  std::size_t gpu_kv_blocks = 0;
  // CUDA: replay decode steps from CUDA graphs (off only to measure what they save).
  bool cuda_graphs = true;
  int gpu = 0;

  // Throws Error naming the option out of range.
  void validate() const;
};

// A backend and what it runs on. The thread pool (CPU only) outlives the backend that uses it.
struct OpenedBackend {
  DeviceKind device = DeviceKind::kCpu;
  std::unique_ptr<ThreadPool> pool;  // null on CUDA
  std::unique_ptr<Backend> backend;
  // One line for the start-up log: device, weights, activations, KV blocks (count, tokens, bytes).
  std::string memory_report;
};

// model must outlive the result (the CPU backend reads its weights in place). Throws Error when the
// device cannot be used or the KV cache does not fit (saying the sizes).
OpenedBackend open_backend(const LoadedModel& model, const BackendOptions& options);

}  // namespace qwenrt::engine
