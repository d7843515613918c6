// Ctrl-C while an answer streams stops that answer; at any other moment it ends the program as usual.
#pragma once

#include <atomic>

namespace qwenrt::cli {

class AnswerInterrupt {
 public:
  // Installs the SIGINT handler for the life of the object (one at a time).
  AnswerInterrupt();
  ~AnswerInterrupt();
  AnswerInterrupt(const AnswerInterrupt&) = delete;
  AnswerInterrupt& operator=(const AnswerInterrupt&) = delete;

  // Marks an answer as streaming (clearing an earlier request to stop) or as done.
  void set_answering(bool answering);
  // Polled by the generator: set when Ctrl-C arrived during the answer.
  const std::atomic<bool>& stop_requested() const;
};

}  // namespace qwenrt::cli
