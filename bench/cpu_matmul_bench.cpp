// Speed of the CPU matmul on the weights of a Qwen2.5-0.5B-shaped model (hidden 896, MLP 4864, 14
// query and 2 KV heads of 64), stored as bf16:
//  - decode (m = 1): GB/s of weights streamed through matmul for all layers in turn, next to the
//    copy bandwidth of memcpy over a buffer of the same size measured in the same run (bytes read plus
//    bytes written per second), since a matrix-vector product can go no faster than memory;
//  - prefill (m = 128 by default): GFLOP/s per matrix shape of one layer;
//  - the same decode pass and prefill over the same weights quantized to int8 and to int4 (groups of
//    128), against bf16 in the same run: what `qwenrt build --weight-only` buys on the CPU.
// Prints JSON. The weight set is far larger than any cache, so decode numbers are memory numbers.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "core/weight_quantization.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/simd_level.h"

namespace {

using qwenrt::DType;
using qwenrt::ThreadPool;
using qwenrt::cpu::WeightMatrix;

struct MatrixShape {
  const char* name;
  std::size_t rows;
  std::size_t cols;
};

constexpr MatrixShape kLayerShapes[] = {
    {"q_proj", 896, 896},   {"k_proj", 128, 896}, {"v_proj", 128, 896},  {"o_proj", 896, 896},
    {"gate_proj", 4864, 896}, {"up_proj", 4864, 896}, {"down_proj", 896, 4864},
};

std::size_t layer_bytes() {
  std::size_t bytes = 0;
  for (const MatrixShape& s : kLayerShapes) bytes += s.rows * s.cols * 2;
  return bytes;
}

// The matrices of `dense` quantized row by row, their codes, scales and zero points kept in storage.
struct QuantizedSet {
  std::vector<std::vector<std::uint8_t>> codes;
  std::vector<std::vector<float>> scales;
  std::vector<std::vector<std::uint8_t>> zeros;
  std::vector<WeightMatrix> matrices;
};

QuantizedSet quantize_all(const std::vector<WeightMatrix>& dense, qwenrt::WeightQuantization quantization) {
  QuantizedSet set;
  for (const WeightMatrix& d : dense) {
    const std::size_t group_size = qwenrt::kDefaultInt4GroupSize;
    const std::size_t row_bytes = qwenrt::quantized_row_bytes(quantization, d.cols);
    const std::size_t groups = qwenrt::quantized_row_groups(quantization, d.cols, group_size);
    auto& codes = set.codes.emplace_back(d.rows * row_bytes);
    auto& scales = set.scales.emplace_back(d.rows * groups);
    auto& zeros = set.zeros.emplace_back(d.rows * groups);
    std::vector<float> row(d.cols);
    for (std::size_t r = 0; r < d.rows; ++r) {
      qwenrt::convert_to_float(d.dtype, d.data + r * d.row_bytes(), d.cols, row.data());
      if (quantization == qwenrt::WeightQuantization::kInt8) {
        scales[r] = qwenrt::quantize_row_int8(row, {reinterpret_cast<std::int8_t*>(codes.data()) + r * d.cols, d.cols});
      } else {
        qwenrt::quantize_row_int4(row, group_size, {codes.data() + r * row_bytes, row_bytes},
                                  {scales.data() + r * groups, groups}, {zeros.data() + r * groups, groups});
      }
    }
    WeightMatrix q{DType::kF32, reinterpret_cast<const std::byte*>(codes.data()), d.rows, d.cols};
    q.quantization = quantization;
    q.group_size = group_size;
    q.scales = scales.data();
    q.zeros = zeros.data();
    set.matrices.push_back(q);
  }
  return set;
}

template <typename Fn>
double best_seconds(int runs, Fn&& fn) {
  fn();  // warm-up: page faults, caches, workers spinning
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CPU matmul speed on Qwen2.5-0.5B-shaped bf16 weights"};
  std::size_t threads = 0;
  std::size_t layers = 24;
  std::size_t prefill_rows = 128;
  int runs = 5;
  std::string simd;
  app.add_option("--threads", threads, "threads, 0 for every available CPU")->capture_default_str();
  app.add_option("--layers", layers, "layers of weights for the decode pass")->capture_default_str();
  app.add_option("--prefill-rows", prefill_rows, "rows of x for the prefill measurement")->capture_default_str();
  app.add_option("--runs", runs, "timed runs (the best is reported)")->capture_default_str();
  app.add_option("--simd", simd, "scalar, avx2 or avx512 (default: the best this CPU has)");
  CLI11_PARSE(app, argc, argv);

  try {
    if (!simd.empty()) qwenrt::cpu::set_simd_level(qwenrt::cpu::parse_simd_level(simd));
    ThreadPool pool(threads);

    // Random bf16 weights: the values do not change the speed, but NaNs or subnormals could.
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> dist(-0.05f, 0.05f);
    const std::size_t total_bytes = layers * layer_bytes();
    std::vector<std::uint16_t> storage(total_bytes / 2);
    for (auto& v : storage) v = qwenrt::float_to_bf16(dist(rng));
    std::vector<WeightMatrix> matrices;
    const auto* cursor = reinterpret_cast<const std::byte*>(storage.data());
    for (std::size_t l = 0; l < layers; ++l) {
      for (const MatrixShape& s : kLayerShapes) {
        matrices.push_back({DType::kBF16, cursor, s.rows, s.cols});
        cursor += s.rows * s.cols * 2;
      }
    }

    // memcpy bandwidth over the same number of bytes, split over the same threads.
    std::vector<std::byte> source(total_bytes, std::byte{1});
    std::vector<std::byte> destination(total_bytes, std::byte{0});
    const double copy_seconds = best_seconds(runs, [&] {
      pool.parallel_for(total_bytes, [&](std::size_t begin, std::size_t end) {
        std::memcpy(destination.data() + begin, source.data() + begin, end - begin);
      });
    });
    const double copy_gbps = 2.0 * static_cast<double>(total_bytes) / copy_seconds / 1e9;

    std::vector<float> x(prefill_rows * 4864);
    for (float& v : x) v = dist(rng);
    std::vector<float> y(prefill_rows * 4864);
    const auto decode_pass_seconds = [&](const std::vector<WeightMatrix>& set) {
      return best_seconds(runs, [&] {
        for (const WeightMatrix& w : set) {
          qwenrt::cpu::matmul(pool, 1, std::span<const float>(x).first(w.cols), w, {},
                              std::span<float>(y).first(w.rows));
        }
      });
    };
    const auto prefill_seconds_of = [&](const WeightMatrix& w) {
      return best_seconds(runs, [&] {
        qwenrt::cpu::matmul(pool, prefill_rows, std::span<const float>(x).first(prefill_rows * w.cols), w, {},
                            std::span<float>(y).first(prefill_rows * w.rows));
      });
    };
    const double decode_seconds = decode_pass_seconds(matrices);
    const double decode_gbps = static_cast<double>(total_bytes) / decode_seconds / 1e9;

    nlohmann::json prefill = nlohmann::json::array();
    double prefill_flops = 0;
    double prefill_seconds = 0;
    for (std::size_t i = 0; i < std::size(kLayerShapes); ++i) {
      const WeightMatrix& w = matrices[i];
      const double seconds = prefill_seconds_of(w);
      const double flops = 2.0 * static_cast<double>(prefill_rows * w.rows * w.cols);
      prefill_flops += flops;
      prefill_seconds += seconds;
      prefill.push_back({{"matrix", kLayerShapes[i].name},
                         {"rows", w.rows},
                         {"cols", w.cols},
                         {"gflop_per_s", flops / seconds / 1e9}});
    }

    nlohmann::json quantized = nlohmann::json::object();
    for (const auto q : {qwenrt::WeightQuantization::kInt8, qwenrt::WeightQuantization::kInt4}) {
      const QuantizedSet set = quantize_all(matrices, q);
      const double seconds = decode_pass_seconds(set.matrices);
      double layer_prefill_seconds = 0;
      for (std::size_t i = 0; i < std::size(kLayerShapes); ++i) layer_prefill_seconds += prefill_seconds_of(set.matrices[i]);
      quantized[std::string(qwenrt::weight_quantization_name(q))] = {
          {"decode_ms_per_pass", seconds * 1e3},
          {"decode_speed_vs_bf16", decode_seconds / seconds},
          {"prefill_layer_ms", layer_prefill_seconds * 1e3},
          {"prefill_speed_vs_bf16", prefill_seconds / layer_prefill_seconds},
      };
    }

    const nlohmann::json report = {
        {"simd", qwenrt::cpu::simd_level_name(qwenrt::cpu::simd_level())},
        {"threads", pool.size()},
        {"weight_bytes", total_bytes},
        {"memcpy_gb_per_s_read_plus_write", copy_gbps},
        {"decode_m1_gb_per_s", decode_gbps},
        {"decode_ms_per_pass", decode_seconds * 1e3},
        {"decode_vs_memcpy", decode_gbps / copy_gbps},
        {"prefill_rows", prefill_rows},
        {"prefill_layer_gflop_per_s", prefill_flops / prefill_seconds / 1e9},
        {"prefill", prefill},
        {"prefill_layer_ms", prefill_seconds * 1e3},
        {"weight_only", quantized},
    };
    std::cout << report.dump(2) << "\n";
  } catch (const qwenrt::Error& e) {
    std::cerr << "qwenrt_cpu_matmul_bench: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
