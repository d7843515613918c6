// `qwenrt serve` as a child process for end-to-end tests: started with a shell command line, its
// stderr read line by line (the listening URLs, the shutdown phases), signalled and awaited, and
// killed if a test leaves it running.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::testing {

class ServerProcess {
 public:
  // Runs `qwenrt ARGS` through the shell (env assignments may precede it: "VAR=x").
  explicit ServerProcess(const std::string& args, const std::string& env = "") {
    const std::string command = env + " exec '" + QWENRT_BINARY + "' " + args + " >/dev/null";
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    stderr_ = fds[0];
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stderr_);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Reads stderr until a line holds text and returns that line; throws when stderr ends first or
  // nothing comes for a minute.
  std::string wait_for_line(std::string_view text) {
    while (true) {
      const std::size_t newline = log_.find('\n', scanned_);
      if (newline != std::string::npos) {
        const std::string line = log_.substr(scanned_, newline - scanned_);
        scanned_ = newline + 1;
        if (line.find(text) != std::string::npos) return line;
        continue;
      }
      if (!read_more(std::chrono::seconds(60))) {
        throw std::runtime_error("qwenrt serve wrote no line with '" + std::string(text) + "'; its stderr:\n" + log_);
      }
    }
  }

  // The ports of the URLs on the "serving ... on URL and URL" line.
  std::vector<std::uint16_t> wait_for_ports() {
    const std::string line = wait_for_line(" on http://");
    std::vector<std::uint16_t> ports;
    for (std::size_t at = line.find("http://"); at != std::string::npos; at = line.find("http://", at + 1)) {
      const std::size_t colon = line.find(':', at + 7);
      ports.push_back(static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1))));
    }
    return ports;
  }

  void send(int signal) { kill(pid_, signal); }

  // The exit code once the process has ended (after reading the rest of its stderr), -1 when a signal
  // ended it; throws when it is still running after timeout.
  int wait_for_exit(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (read_more(std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now()))) {
    }
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("qwenrt serve did not exit:\n" + log_);
      usleep(10'000);
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& log() const { return log_; }

 private:
  // False at the end of stderr or when nothing came within timeout.
  bool read_more(std::chrono::seconds timeout) {
    pollfd p{stderr_, POLLIN, 0};
    if (timeout.count() <= 0 || poll(&p, 1, static_cast<int>(timeout.count() * 1000)) <= 0) return false;
    char chunk[4096];
    const ssize_t n = read(stderr_, chunk, sizeof chunk);
    if (n <= 0) return false;
    log_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int stderr_ = -1;
  bool exited_ = false;
  std::string log_;
  std::size_t scanned_ = 0;
};

}  // namespace qwenrt::testing
