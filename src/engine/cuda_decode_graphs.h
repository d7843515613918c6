// Decode steps replayed from CUDA graphs. A decode step of a 7B model is some 300 kernel launches of
// a few microseconds each; launched one by one from the host, the gaps between them cost as much as a
// fifth of the step. Captured once into a graph and replayed, they run back to back. A graph bakes in
// every kernel's arguments, so a step may replay one only when everything the arguments point to sits
// where it did at capture: the caller describes that as a signature (addresses and layout), and a
// different signature captures the graph anew.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace qwenrt::engine {

class DecodeGraphCache {
 public:
  DecodeGraphCache() = default;
  ~DecodeGraphCache();
  DecodeGraphCache(const DecodeGraphCache&) = delete;
  DecodeGraphCache& operator=(const DecodeGraphCache&) = delete;

  // Queues the work of enqueue on stream for the step shape key. The first time a (key, signature)
  // is seen it runs eagerly, as a warm-up: libraries choose their algorithms and kernels their
  // attributes outside of any capture. The second time it is captured into a graph, which this and
  // every later call with the same key and signature launch. Throws Error when CUDA refuses.
  void run(cudaStream_t stream, std::size_t key, const std::vector<std::uintptr_t>& signature,
           const std::function<void()>& enqueue);

  // Graphs held now.
  std::size_t size() const;

 private:
  struct Entry {
    std::vector<std::uintptr_t> signature;
    cudaGraphExec_t exec = nullptr;
  };
  static void release(Entry& entry);

  std::map<std::size_t, Entry> entries_;
};

}  // namespace qwenrt::engine
