#include "engine/backend_factory.h"

#include <algorithm>

#include "core/error.h"
#include "engine/cpu_transformer.h"
#include "engine/cuda_transformer.h"
#include "kernels/cuda/device_info.h"

namespace qwenrt::engine {
namespace {

std::string mib(std::size_t bytes) { return str_cat(bytes >> 20, " MiB"); }

OpenedBackend open_cpu(const LoadedModel& model, const BackendOptions& o) {
  OpenedBackend opened;
  opened.device = DeviceKind::kCpu;
  opened.pool = std::make_unique<ThreadPool>(o.cpu_threads);
  const std::size_t blocks = (o.cpu_kv_tokens + o.block_size - 1) / o.block_size;
  opened.backend = std::make_unique<CpuTransformer>(model, *opened.pool, CpuCacheOptions{o.block_size, blocks});
  opened.memory_report = str_cat("cpu, ", opened.pool->size(), " threads; KV cache ", blocks, " blocks of ",
                                 o.block_size, " tokens (", blocks * o.block_size, " tokens)");
  return opened;
}

OpenedBackend open_cuda(const LoadedModel& model, const BackendOptions& o) {
  CudaOptions cuda_options;
  cuda_options.block_size = o.block_size;
  cuda_options.num_blocks = o.gpu_kv_blocks;
  cuda_options.memory_fraction = o.gpu_memory_utilization;
  cuda_options.max_step_tokens = o.max_step_tokens;
  cuda_options.cuda_graphs = o.cuda_graphs;
  cuda_options.device = o.gpu;
  auto gpu = std::make_unique<CudaTransformer>(model, cuda_options);
  const auto devices = cuda::list_devices();
  const cuda::DeviceInfo& info = devices.at(static_cast<std::size_t>(o.gpu));
  OpenedBackend opened;
  opened.device = DeviceKind::kCuda;
  opened.memory_report = str_cat("cuda:", o.gpu, " ", info.name, " (", mib(info.memory_bytes), ", ",
                                 o.gpu_memory_utilization, " of it allowed): weights ", mib(gpu->weight_bytes()),
                                 ", activations ", mib(gpu->activation_bytes()), " for ", o.max_step_tokens,
                                 " tokens a step, KV cache ", mib(gpu->kv_cache_bytes()), " = ", gpu->kv_block_count(),
                                 " blocks of ", o.block_size, " tokens (", gpu->kv_block_count() * o.block_size,
                                 " tokens)");
  opened.backend = std::move(gpu);
  return opened;
}

}  // namespace

const char* device_kind_name(DeviceKind device) { return device == DeviceKind::kCuda ? "cuda" : "cpu"; }

void BackendOptions::validate() const {
  if (block_size == 0 || block_size > 256) fail("KV block size must be in [1, 256], got ", block_size);
  if (!(gpu_memory_utilization > 0.0 && gpu_memory_utilization <= 1.0)) {
    fail("--gpu-memory-utilization must be in (0, 1], got ", gpu_memory_utilization);
  }
  if (cpu_kv_tokens == 0) fail("the KV cache must hold at least one token");
  if (max_step_tokens == 0) fail("a forward step must carry at least one token");
  if (gpu < 0) fail("CUDA device index must not be negative, got ", gpu);
}

OpenedBackend open_backend(const LoadedModel& model, const BackendOptions& options) {
  options.validate();
  return options.device == DeviceKind::kCuda ? open_cuda(model, options) : open_cpu(model, options);
}

}  // namespace qwenrt::engine
