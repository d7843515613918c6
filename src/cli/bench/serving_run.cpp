#include "cli/bench/serving_run.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/bench/arrival_schedule.h"
#include "cli/bench/completion_stream.h"
#include "core/error.h"
#include "core/open_files.h"

namespace qwenrt::bench {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// At most limit holders at once (none for 0); the waiters are let in first come, first served. One
// thread runs every coroutine, so no lock is needed.
class Slots {
 public:
  Slots(asio::io_context& io, std::size_t limit) : io_(io), limit_(limit), free_(limit) {}

  asio::awaitable<void> acquire() {
    if (limit_ == 0) co_return;
    if (free_ > 0) {
      --free_;
      co_return;
    }
    auto turn = std::make_shared<asio::steady_timer>(io_, Clock::time_point::max());
    waiting_.push_back(turn);
    boost::system::error_code cancelled;  // how release() wakes it, the slot handed over
    co_await turn->async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
  }

  void release() {
    if (limit_ == 0) return;
    if (waiting_.empty()) {
      ++free_;
      return;
    }
    waiting_.front()->cancel();
    waiting_.pop_front();
  }

 private:
  asio::io_context& io_;
  std::size_t limit_, free_;
  std::deque<std::shared_ptr<asio::steady_timer>> waiting_;
};

bool is_chat(const std::string& endpoint) { return endpoint.ends_with("chat/completions"); }

std::string request_body(const ServingOptions& options, const SampledRequest& request) {
  nlohmann::json body = {
      {"model", options.model},
      {"max_tokens", request.output_len},
      {"temperature", 0},
      {"ignore_eos", true},
      {"stream", true},
      {"stream_options", {{"include_usage", true}}},
  };
  if (is_chat(options.endpoint)) {
    body["messages"] = nlohmann::json::array({{{"role", "user"}, {"content", request.prompt}}});
  } else {
    body["prompt"] = request.prompt;
  }
  return body.dump();
}

class ServingSession {
 public:
  ServingSession(const ServingOptions& options, const std::vector<SampledRequest>& requests)
      : options_(options),
        requests_(requests),
        records_(requests.size()),
        arrivals_(poisson_arrival_times(requests.size(), options.request_rate, options.seed)),
        slots_(io_, options.max_concurrency) {
    try {
      endpoints_ = asio::ip::tcp::resolver(io_).resolve(options.server.host, options.server.port);
    } catch (const boost::system::system_error& e) {
      fail(options.server.url(), ": ", e.code().message());
    }
  }

  ServingRun run() {
    raise_open_file_limit();  // a socket per request in flight: a thousand at once pass the usual 1,024
    start_ = Clock::now();
    last_done_ = start_;
    for (std::size_t i = 0; i < requests_.size(); ++i) asio::co_spawn(io_, send_when_due(i), asio::detached);
    io_.run();
    return {std::move(records_), std::chrono::duration<double>(last_done_ - start_).count()};
  }

 private:
  asio::awaitable<void> send_when_due(std::size_t i) {
    asio::steady_timer due(io_, start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(arrivals_[i])));
    boost::system::error_code ignored;
    co_await due.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_await slots_.acquire();
    records_[i] = co_await send(requests_[i]);
    slots_.release();
    last_done_ = std::max(last_done_, Clock::now());
  }

  asio::awaitable<RequestRecord> send(const SampledRequest& request) {
    const std::string body = request_body(options_, request);
    CompletionStream stream(Clock::now(), request.prompt_ids.size(), is_chat(options_.endpoint));
    HttpResponseHead head;
    std::string network_error;
    try {
      head = co_await http_exchange(endpoints_, options_.server, "POST", options_.endpoint, body,
                                    [&](const HttpResponseHead& h, std::string_view piece, Clock::time_point at) {
                                      stream.feed(h, piece, at);
                                    });
    } catch (const boost::system::system_error& e) {
      network_error = e.code().message();
    }
    if (network_error.empty()) co_return stream.finish(head);
    RequestRecord failed;
    failed.prompt_tokens = request.prompt_ids.size();
    failed.error = str_cat("connection: ", network_error);
    co_return failed;
  }

  const ServingOptions& options_;
  const std::vector<SampledRequest>& requests_;
  std::vector<RequestRecord> records_;
  std::vector<double> arrivals_;
  asio::io_context io_;
  Slots slots_;
  asio::ip::tcp::resolver::results_type endpoints_;
  Clock::time_point start_, last_done_;
};

}  // namespace

ServingRun run_serving(const ServingOptions& options, const std::vector<SampledRequest>& requests) {
  return ServingSession(options, requests).run();
}

std::string served_model(const HttpServer& server) {
  const auto [status, body] = http_fetch(server, "GET", "/v1/models");
  const nlohmann::json models = nlohmann::json::parse(body, nullptr, false);
  if (status != 200 || !models.is_object() || !models.contains("data") || !models["data"].is_array() ||
      models["data"].empty() || !models["data"][0].is_object() || !models["data"][0].contains("id") ||
      !models["data"][0]["id"].is_string()) {
    fail(server.url(), "/v1/models: no model listed (HTTP ", status, "); name it with --model");
  }
  return models["data"][0]["id"].get<std::string>();
}

}  // namespace qwenrt::bench
