#include "cli/interrupt.h"

#include <csignal>

namespace qwenrt::cli {
namespace {

std::atomic<bool> g_answering{false};
std::atomic<bool> g_stop{false};

void on_sigint(int signal) {
  if (g_answering.load()) {
    g_stop.store(true);
    return;
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

}  // namespace

AnswerInterrupt::AnswerInterrupt() { std::signal(SIGINT, on_sigint); }

AnswerInterrupt::~AnswerInterrupt() { std::signal(SIGINT, SIG_DFL); }

void AnswerInterrupt::set_answering(bool answering) {
  if (answering) g_stop.store(false);
  g_answering.store(answering);
}

const std::atomic<bool>& AnswerInterrupt::stop_requested() const { return g_stop; }

}  // namespace qwenrt::cli
