// `qwenrt chat`: a multi-turn conversation in the terminal (or over a pipe: one user message per line).
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/model_session.h"
#include "core/error.h"

namespace qwenrt::cli {
namespace {

using tokenizer::ChatMessage;
using tokenizer::ChatRole;

constexpr const char* kHelp = "commands: /clear forgets the conversation, /system TEXT sets the system prompt, /exit quits";

// The conversation so far, kept within the context: the oldest exchanges go first, never the system
// prompt, and always whole (a user turn with the answers after it).
class Conversation {
 public:
  void set_system(std::string text) { system_ = std::move(text); }
  void clear() { turns_.clear(); }
  void add(ChatRole role, std::string text) { turns_.push_back({role, std::move(text)}); }
  void drop_last() { turns_.pop_back(); }

  std::vector<ChatMessage> messages() const {
    std::vector<ChatMessage> all;
    if (!system_.empty()) all.push_back({ChatRole::kSystem, system_});
    all.insert(all.end(), turns_.begin(), turns_.end());
    return all;
  }

  // Drops the oldest exchange; false when only the current user message is left.
  bool drop_oldest_exchange() {
    if (turns_.size() <= 1) return false;
    auto next_user = std::find_if(turns_.begin() + 1, turns_.end(), [](const ChatMessage& m) { return m.role == ChatRole::kUser; });
    turns_.erase(turns_.begin(), next_user);
    return true;
  }

 private:
  std::string system_;
  std::vector<ChatMessage> turns_;
};

struct ChatOptions {
  GenerationFlags generation;
  std::string system;
};

void run_chat(const ChatOptions& opt) {
  ModelSession session(opt.generation);
  std::cerr << "qwenrt: " << session.memory_report() << "\n";
  const runtime::SamplingParams sampling = session.sampling();
  const std::size_t context = session.generator().context_length();
  // Room kept for the answer when old turns are dropped to fit the context.
  const std::size_t answer_room = std::min(sampling.max_new_tokens.value_or(1024), context / 2);
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  Conversation conversation;
  conversation.set_system(opt.system);
  AnswerInterrupt interrupt;
  if (interactive) std::cerr << "qwenrt chat: " << kHelp << "; Ctrl-C stops an answer\n";

  std::string line;
  while (true) {
    if (interactive) std::cerr << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;  // end of input: a closed pipe or Ctrl-D
    if (line.empty()) continue;
    if (line == "/exit" || line == "/quit") break;
    if (line == "/clear") {
      conversation.clear();
      continue;
    }
    if (line.rfind("/system", 0) == 0) {
      conversation.set_system(line.size() > 8 ? line.substr(8) : "");
      conversation.clear();
      continue;
    }
    if (line[0] == '/') {
      std::cerr << "unknown command " << line << "; " << kHelp << "\n";
      continue;
    }
    conversation.add(ChatRole::kUser, line);
    std::vector<tokenizer::TokenId> prompt = session.chat_prompt(conversation.messages());
    while (prompt.size() + answer_room > context && conversation.drop_oldest_exchange()) {
      prompt = session.chat_prompt(conversation.messages());
    }
    if (prompt.size() >= context) {
      std::cerr << "qwenrt: this message is too long: " << prompt.size() << " tokens with the system prompt, the context holds "
                << context << "\n";
      conversation.drop_last();
      continue;
    }
    interrupt.set_answering(true);
    runtime::GenerationResult result;
    try {
      result = session.generator().generate(
          prompt, sampling,
          [](std::string_view text) {
            std::cout << text << std::flush;
            return true;
          },
          &interrupt.stop_requested());
    } catch (const Error& e) {
      interrupt.set_answering(false);
      std::cerr << "qwenrt: " << e.what() << "\n";
      conversation.drop_last();
      continue;
    }
    interrupt.set_answering(false);
    std::cout << "\n" << std::flush;
    print_generation_stats(result);
    conversation.add(ChatRole::kAssistant, result.text);
  }
}

}  // namespace

void add_chat_command(CLI::App& app) {
  auto opt = std::make_shared<ChatOptions>();
  CLI::App* chat = app.add_subcommand("chat", "Chat in the terminal: multi-turn, streaming; reads one message per line");
  opt->generation.add_to(*chat);
  chat->add_option("--system", opt->system, "System prompt (default: the chat template's)");
  chat->footer(std::string("In the chat, ") + kHelp + ". Ctrl-C stops the answer being written.");
  chat->callback([opt] { run_chat(*opt); });
}

}  // namespace qwenrt::cli
