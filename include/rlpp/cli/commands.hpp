#pragma once
// The rlpp commands over whatever envs and algorithms are registered, without the built-in
// algorithms (cli.hpp adds those): a program that registers only its own trainers compiles none
// of rlpp's. docs/cli.md documents every command and flag.

#include <csignal>
#include <exception>
#include <iostream>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/cli/args.hpp"
#include "rlpp/cli/demo.hpp"
#include "rlpp/cli/experiment.hpp"
#include "rlpp/cli/rollout.hpp"
#include "rlpp/cli/train.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/trainer/registry.hpp"

namespace rlpp::cli {

inline constexpr std::string_view main_help =
    R"(usage: rlpp <command> [options]

commands:
  train       train an algorithm on an env (or the experiments of a JSON file)
  rollout     roll out a checkpoint's policy in its env
  envs        list the registered envs and their spaces
  algorithms  list the registered algorithms
  demo        step a vectorized env with random actions (throughput check)

`rlpp <command> --help` describes a command's options.
)";

// `rlpp algorithms`: the registered algorithm names, one per line.
inline int list_algorithms(std::ostream& out) {
  const std::vector<std::string> names = global_trainer_registry().names();
  if (names.empty()) out << "(no algorithms registered)\n";
  for (const std::string& name : names) out << name << "\n";
  return 0;
}

// Runs the command in `args` (the words after the program name), writing to `out` and `err`.
// Exit status: 0 success, 1 a failure while running (a trial failed, a checkpoint is corrupt),
// 2 a usage mistake (unknown command, flag, algorithm or env; bad JSON; invalid config). Every
// error is one line on `err`: "rlpp <command>: error: <what>". Uses the registries as they
// are (cli::run registers the built-in algorithms first).
inline int run_commands(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << main_help;
    return 2;
  }
  const std::string& command = args.front();
  const std::span<const std::string> rest = args.subspan(1);
  const bool known = command == "train" || command == "rollout" || command == "envs" || command == "algorithms" ||
                     command == "demo";
  const std::string prefix = known ? "rlpp " + command : "rlpp";
  // "rlpp train: error: <what>", without repeating the prefix when the error names it as its place.
  auto report = [&](const std::exception& error) {
    std::string_view text = error.what();
    for (const std::string& where : {prefix + ": ", std::string("rlpp: ")})
      if (text.starts_with(where)) text.remove_prefix(where.size());
    err << prefix << ": error: " << text << "\n";
  };
  try {
    if (command == "--help" || command == "-h" || command == "help") return out << main_help, 0;
    if (command == "train") return train(rest, out, err);
    if (command == "rollout") return rollout(rest, out, err);
    if (command == "envs" || command == "algorithms") {
      (void)parse_args(prefix, rest, std::span<const FlagSpec>());
      return command == "envs" ? list_envs(out) : list_algorithms(out);
    }
    if (command == "demo") return demo(rest, out);
    const std::vector<std::string> commands{"train", "rollout", "envs", "algorithms", "demo"};
    const std::string hint = did_you_mean(command, commands);
    throw UsageError("rlpp", "unknown command '" + command + "'",
                     (hint.empty() ? "" : hint + " ") + "commands: train, rollout, envs, algorithms, demo");
  } catch (const UsageError& error) {
    report(error);
    return 2;
  } catch (const ConfigError& error) {
    report(error);
    return 2;
  } catch (const RegistryError& error) {
    report(error);
    return 2;
  } catch (const std::exception& error) {
    report(error);
    return 1;
  }
}

namespace detail {
extern "C" inline void on_interrupt(int) {
  interrupt_requested().store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process
}
}  // namespace detail

// A command-line program: run_commands() over argv with std::cout / std::cerr, Ctrl-C stopping
// training gracefully (see `rlpp train --help`), after `register_algorithms` (if any) has put
// the program's trainers into the registry.
inline int program_main(int argc, char** argv, void (*register_algorithms)() = nullptr) {
  if (register_algorithms) register_algorithms();
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  interrupt_requested().store(false);
  std::signal(SIGINT, detail::on_interrupt);
  const int status = run_commands(args, std::cout, std::cerr);
  std::signal(SIGINT, SIG_DFL);
  return status;
}

}  // namespace rlpp::cli
