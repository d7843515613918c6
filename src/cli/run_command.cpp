// `qwenrt run`: one prompt, answered as a stream on stdout.
#include <iostream>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/model_session.h"

namespace qwenrt::cli {
namespace {

struct RunOptions {
  GenerationFlags generation;
  std::string prompt;
  std::string system;
  bool raw = false;
};

void run_prompt(const RunOptions& opt) {
  ModelSession session(opt.generation);
  std::vector<tokenizer::TokenId> prompt;
  if (opt.raw) {
    prompt = session.tokenizer().encode(opt.prompt);
  } else {
    std::vector<tokenizer::ChatMessage> messages;
    if (!opt.system.empty()) messages.push_back({tokenizer::ChatRole::kSystem, opt.system});
    messages.push_back({tokenizer::ChatRole::kUser, opt.prompt});
    prompt = session.chat_prompt(messages);
  }
  AnswerInterrupt interrupt;
  interrupt.set_answering(true);
  const auto result = session.generator().generate(
      prompt, session.sampling(),
      [](std::string_view text) {
        std::cout << text << std::flush;
        return true;
      },
      &interrupt.stop_requested());
  interrupt.set_answering(false);
  std::cout << "\n";
  print_generation_stats(result);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Answer one prompt (chat template applied), streaming to stdout");
  opt->generation.add_to(*run);
  run->add_option("-p,--prompt", opt->prompt, "The question")->required();
  run->add_option("--system", opt->system, "System prompt (default: the chat template's)");
  run->add_flag("--raw", opt->raw, "Send the prompt as is, without the chat template");
  run->callback([opt] { run_prompt(*opt); });
}

}  // namespace qwenrt::cli
