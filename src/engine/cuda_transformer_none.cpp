// CudaTransformer in a build without the CUDA toolkit: it exists so that callers compile, and refuses
// to be constructed.
#include "core/error.h"
#include "engine/cuda_transformer.h"

namespace qwenrt::engine {

struct CudaTransformer::Impl {};

CudaTransformer::CudaTransformer(const LoadedModel& model, const CudaOptions& options)
    : config_(model.config), options_(options) {
  fail("the CUDA backend is not available: this qwenrt was built without the CUDA toolkit");
}

CudaTransformer::~CudaTransformer() = default;

void CudaTransformer::forward(std::span<const SequenceStep>, std::vector<float>&) {}
void CudaTransformer::forward_sampled(std::span<const SequenceStep>, std::span<const TokenSampling>,
                                      std::vector<TokenId>&, std::vector<float>&) {}
std::size_t CudaTransformer::weight_bytes() const { return 0; }
std::size_t CudaTransformer::kv_cache_bytes() const { return 0; }
std::size_t CudaTransformer::activation_bytes() const { return 0; }
std::size_t CudaTransformer::decode_graphs() const { return 0; }

}  // namespace qwenrt::engine
