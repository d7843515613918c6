// SIGTERM and SIGINT as a request to shut down, for `qwenrt serve`: both are blocked from construction
// on, so every thread started afterwards inherits the block and the one that calls wait() takes them
// (a handler could do nothing useful: shutting down needs locks and logging).
#pragma once

namespace qwenrt::cli {

class TerminationSignals {
 public:
  // Call before starting any thread.
  TerminationSignals();
  ~TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  // Blocks until SIGTERM or SIGINT and returns its name. From then on this thread takes the signals
  // as usual again, so a second Ctrl-C ends a shutdown that takes too long.
  const char* wait();
};

}  // namespace qwenrt::cli
