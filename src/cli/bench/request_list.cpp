#include "cli/bench/request_list.h"

#include "core/file_io.h"

namespace qwenrt::bench {

void write_request_list(const std::filesystem::path& file, const std::vector<SampledRequest>& requests,
                        const nlohmann::json& about) {
  nlohmann::json list = nlohmann::json::array();
  for (const SampledRequest& r : requests) {
    list.push_back({{"id", r.conversation_id}, {"prompt", r.prompt}, {"prompt_ids", r.prompt_ids}, {"output_len", r.output_len}});
  }
  write_file(file, nlohmann::json{{"about", about}, {"requests", std::move(list)}}.dump() + "\n");
}

}  // namespace qwenrt::bench
