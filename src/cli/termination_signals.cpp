#include "cli/termination_signals.h"

#include <pthread.h>

#include <csignal>

namespace qwenrt::cli {
namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

TerminationSignals::TerminationSignals() {
  const sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

TerminationSignals::~TerminationSignals() {
  const sigset_t set = termination_set();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

const char* TerminationSignals::wait() {
  const sigset_t set = termination_set();
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  return signal == SIGTERM ? "SIGTERM" : "SIGINT";
}

}  // namespace qwenrt::cli
