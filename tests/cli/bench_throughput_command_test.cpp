// `qwenrt bench throughput`, `qwenrt bench serving` (against `qwenrt serve`) and `qwenrt bench
// make-dataset` end to end on the CPU, with the tiny model that carries the real Qwen vocabulary and
// ShareGPT files in the real format written here.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "bench/sharegpt_files.h"
#include "core/error.h"
#include "run_command.h"
#include "server_process.h"
#include "tiny_model_fixture.h"

namespace qwenrt::testing {
namespace {

using bench::testing::conversation;
using bench::testing::words;

class BenchCommands : public TinyModelTest {
 protected:
  static std::filesystem::path write_scratch(const std::string& name, const std::string& content) {
    const auto path = dir() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Ten valid conversations that fit the tiny model's 256 positions, and three the sampler drops.
  static std::filesystem::path small_sharegpt() {
    nlohmann::json file = nlohmann::json::array();
    for (int i = 0; i < 10; ++i) {
      file.push_back(conversation(str_cat("ok", i), {str_cat("Question ", i, ": ", words(8 + 3 * i)), words(4 + 2 * i)}));
    }
    file.push_back(conversation("short", {"Hi", words(20)}));
    file.push_back(conversation("alone", {words(20)}));
    file.push_back({{"id", "none"}});
    return write_scratch("small_sharegpt.json", file.dump());
  }
};

TEST_F(BenchCommands, ThroughputRunsEveryRequestToItsDatasetLength) {
  const auto dataset = small_sharegpt();
  const auto saved = dir() / "requests.json";
  const auto r = run_qwenrt("bench throughput" + model() + " --dataset " + dataset.string() +
                            " --num-prompts 8 --seed 3 --max-num-seqs 4 --max-num-batched-tokens 64 --json --save-requests " +
                            saved.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  const nlohmann::json requests = nlohmann::json::parse(slurp(saved));
  ASSERT_EQ(requests["requests"].size(), 8u);
  EXPECT_EQ(requests["about"]["seed"], 3);
  EXPECT_EQ(requests["about"]["sampling"]["temperature"], 0.0);
  std::size_t input = 0, output = 0;
  for (const nlohmann::json& q : requests["requests"]) {
    EXPECT_EQ(q["id"].get<std::string>().substr(0, 2), "ok") << "only valid pairs are drawn";
    input += q["prompt_ids"].size();
    output += q["output_len"].get<std::size_t>();
  }
  EXPECT_EQ(report["backend"], "qwenrt");
  EXPECT_EQ(report["device"], "cpu");
  EXPECT_EQ(report["completed"], 8);
  EXPECT_EQ(report["failed"], 0);
  EXPECT_EQ(report["total_input_tokens"], input);
  EXPECT_EQ(report["total_output_tokens"], output) << "EOS is ignored: each request generates its dataset length";
  const double elapsed = report["elapsed_s"];
  EXPECT_GT(elapsed, 0);
  EXPECT_NEAR(report["requests_per_s"].get<double>(), 8 / elapsed, 1e-9);
  EXPECT_NEAR(report["total_tokens_per_s"].get<double>(), static_cast<double>(input + output) / elapsed, 1e-6);
  EXPECT_GT(report["peak_kv_blocks"].get<std::size_t>(), 0u);
  EXPECT_LE(report["peak_kv_blocks"].get<std::size_t>(), report["kv_blocks"].get<std::size_t>());
  EXPECT_GE(report["engine_steps"].get<std::size_t>(), output / 4) << "at most four requests decode per step";
  // The steps' time splits into forward passes and the host's work, within the run's time (which ends
  // at the last answer, a little before the bookkeeping of the step that gave it).
  EXPECT_GT(report["forward_s"].get<double>(), 0);
  EXPECT_GE(report["host_step_s"].get<double>(), 0);
  EXPECT_LE(report["forward_s"].get<double>() + report["host_step_s"].get<double>(),
            report["elapsed_s"].get<double>() + 0.1);
  // The steps by size account for every step of the run and every token it computed, with at most 4
  // sequences a step.
  std::size_t profiled_steps = 0, profiled_tokens = 0;
  for (const nlohmann::json& b : report["step_profile"]) {
    profiled_steps += b["steps"].get<std::size_t>();
    profiled_tokens += b["tokens"].get<std::size_t>();
    EXPECT_TRUE(b["steps_with"] == "prompts" || b["steps_with"] == "decode only") << b;
    EXPECT_TRUE(b["sequences"] == "1" || b["sequences"] == "2-3" || b["sequences"] == "4-7") << b;
    EXPECT_NEAR(b["ms_per_step"].get<double>(), 1e3 * b["seconds"].get<double>() / b["steps"].get<double>(), 1e-9);
  }
  EXPECT_EQ(profiled_steps, report["engine_steps"].get<std::size_t>());
  // Each request computes its prompt (less what the prefix cache held) and all its outputs but the last.
  ASSERT_EQ(report["preemptions"], 0);
  EXPECT_EQ(profiled_tokens, input + output - 8 - report["prefix_cache_hit_tokens"].get<std::size_t>());
  for (const char* latency : {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"}) {
    const nlohmann::json& s = report[latency];
    EXPECT_GT(s["p50"].get<double>(), 0) << latency;
    EXPECT_LE(s["p50"].get<double>(), s["p90"].get<double>()) << latency;
    EXPECT_LE(s["p90"].get<double>(), s["p99"].get<double>()) << latency;
  }
  EXPECT_LE(report["ttft_ms"]["p50"].get<double>(), report["e2e_ms"]["p50"].get<double>());
  EXPECT_NE(r.err.find("8 requests (seed 3) from 12 conversations, 11 of two turns or more"), std::string::npos) << r.err;

  // The same seed draws the same requests; the table is printed without --json.
  const auto again = dir() / "requests_again.json";
  const auto table = run_qwenrt("bench throughput" + model() + " --dataset " + dataset.string() +
                                " --num-prompts 8 --seed 3 --max-num-seqs 8 --max-num-batched-tokens 128 --save-requests " +
                                again.string());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(again))["requests"], requests["requests"]);
  EXPECT_NE(table.out.find("Throughput Benchmark Result"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Output token throughput (tok/s):"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("P99 ITL (ms):"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Steps by size"), std::string::npos) << table.out;
}

TEST_F(BenchCommands, ThroughputRejectsBadInputWithOneLine) {
  const auto missing = run_qwenrt("bench throughput" + model() + " --dataset /nonexistent/sharegpt.json");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/sharegpt.json"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;

  const auto broken = write_scratch("broken.json", R"([{"id": "x", "conversations": [{"from": "human", "value": 3}]}])");
  const auto bad = run_qwenrt("bench throughput" + model() + " --dataset " + broken.string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("broken.json: entry 0 (id x): turn 0: \"value\" must be a string"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;

  // 200 + 100 positions, more than the tiny model's 256.
  const auto long_file = write_scratch("long.json", nlohmann::json::array({conversation("long", {words(200), words(100)})}).dump());
  const auto too_long = run_qwenrt("bench throughput" + model() + " --dataset " + long_file.string() + " --num-prompts 1");
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_NE(too_long.err.find("request 0 (conversation long) needs 300 positions"), std::string::npos) << too_long.err;
}

TEST_F(BenchCommands, ServingStreamsEveryRequestToItsDatasetLengthFromQwenrtServe) {
  const auto dataset = small_sharegpt();
  const auto saved = dir() / "serving_requests.json";
  ServerProcess server("serve" + model() + " --port 0 --served-model-name tiny --max-num-seqs 4");
  const std::string url = "http://127.0.0.1:" + std::to_string(server.wait_for_ports().at(0));
  for (const char* endpoint : {"/v1/completions", "/v1/chat/completions"}) {
    const auto r = run_qwenrt("bench serving --base-url " + url + " --endpoint " + endpoint + " --tokenizer " +
                              dir().string() + " --dataset " + dataset.string() +
                              " --num-prompts 6 --seed 2 --request-rate 20 --json --save-requests " + saved.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json report = nlohmann::json::parse(r.out);
    const nlohmann::json requests = nlohmann::json::parse(slurp(saved));
    std::size_t output = 0;
    for (const nlohmann::json& q : requests["requests"]) output += q["output_len"].get<std::size_t>();
    EXPECT_EQ(report["endpoint"], endpoint);
    EXPECT_EQ(report["model"], "tiny") << "the first of GET /v1/models";
    EXPECT_EQ(report["completed"], 6) << report.dump();
    EXPECT_EQ(report["failed"], 0);
    EXPECT_EQ(report["total_output_tokens"], output) << "EOS is ignored: each request streams its dataset length";
    for (const char* latency : {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"}) {
      EXPECT_GT(report[latency]["p50"].get<double>(), 0) << latency;
      EXPECT_LE(report[latency]["p50"].get<double>(), report[latency]["p99"].get<double>()) << latency;
    }
  }
  // The server counted what the benchmark says it was sent.
  const auto metrics = run_shell("curl -sS " + url + "/metrics");
  EXPECT_NE(metrics.out.find("qwenrt_request_success_total{finished_reason=\"length\"} 12"), std::string::npos)
      << metrics.out;

  server.send(SIGTERM);
  EXPECT_EQ(server.wait_for_exit(std::chrono::seconds(60)), 0) << server.log();
  const auto gone = run_qwenrt("bench serving --base-url " + url + " --tokenizer " + dir().string() + " --dataset " +
                               dataset.string() + " --num-prompts 2");
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(std::count(gone.err.begin(), gone.err.end(), '\n'), 1) << gone.err;
  EXPECT_NE(gone.err.find(url.substr(7)), std::string::npos) << gone.err;
}

TEST_F(BenchCommands, MakeDatasetWritesAShareGptFileAndItsStatistics) {
  const auto out = dir() / "synthetic.json";
  const auto r = run_qwenrt("bench make-dataset -m " + dir().string() + " --out " + out.string() +
                            " --conversations 60 --seed 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json stats = nlohmann::json::parse(r.out);
  const nlohmann::json file = nlohmann::json::parse(slurp(out));
  ASSERT_EQ(file.size(), 60u);
  EXPECT_EQ(stats["conversations"], 60);
  EXPECT_EQ(file[0]["conversations"][0]["from"], "human");
  std::size_t two_turns = 0;
  for (const nlohmann::json& c : file) two_turns += c["conversations"].size() == 2 ? 1 : 0;
  EXPECT_EQ(stats["multi_turn_conversations"], two_turns);
  EXPECT_LE(stats["valid_pairs"].get<std::size_t>(), two_turns);
  EXPECT_GT(stats["valid_prompt_tokens"]["mean"].get<double>(), 0);
  EXPECT_LE(stats["valid_prompt_tokens"]["p99"].get<double>(), 1024);

  const auto table = run_qwenrt("bench make-dataset -m " + dir().string() + " --out " + out.string() + " --conversations 60 --seed 4");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(out)), file) << "the seed fixes the file";
  EXPECT_NE(table.out.find("pairs within vLLM's limits"), std::string::npos) << table.out;
}

}  // namespace
}  // namespace qwenrt::testing
