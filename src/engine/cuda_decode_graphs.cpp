#include "engine/cuda_decode_graphs.h"

#include "kernels/cuda/cuda_check.h"

namespace qwenrt::engine {

DecodeGraphCache::~DecodeGraphCache() {
  for (auto& [key, entry] : entries_) release(entry);
}

void DecodeGraphCache::release(Entry& entry) {
  if (entry.exec != nullptr) cudaGraphExecDestroy(entry.exec);
  entry.exec = nullptr;
}

void DecodeGraphCache::run(cudaStream_t stream, std::size_t key, const std::vector<std::uintptr_t>& signature,
                           const std::function<void()>& enqueue) {
  Entry& entry = entries_[key];
  if (entry.signature != signature) {
    release(entry);
    entry.signature = signature;
    enqueue();
    return;
  }
  if (entry.exec == nullptr) {
    cudaGraph_t graph = nullptr;
    QWENRT_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
    try {
      enqueue();
    } catch (...) {
      // End the capture so the stream is usable again; the partial graph is dropped.
      if (cudaStreamEndCapture(stream, &graph) == cudaSuccess && graph != nullptr) cudaGraphDestroy(graph);
      cudaGetLastError();
      entry.signature.clear();
      throw;
    }
    QWENRT_CUDA_CHECK(cudaStreamEndCapture(stream, &graph));
    const cudaError_t instantiated = cudaGraphInstantiate(&entry.exec, graph, 0);
    cudaGraphDestroy(graph);
    if (instantiated != cudaSuccess) {
      entry.exec = nullptr;
      entry.signature.clear();
      QWENRT_CUDA_CHECK(instantiated);
    }
  }
  QWENRT_CUDA_CHECK(cudaGraphLaunch(entry.exec, stream));
}

std::size_t DecodeGraphCache::size() const {
  std::size_t count = 0;
  for (const auto& [key, entry] : entries_) count += entry.exec != nullptr ? 1 : 0;
  return count;
}

}  // namespace qwenrt::engine
