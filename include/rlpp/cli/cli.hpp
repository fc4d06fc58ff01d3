#pragma once
// The rlpp command line as a library: `rlpp::cli::main(argc, argv)` is the whole `rlpp` tool
// (train, rollout, envs, algorithms, demo) over the registered envs and algorithms, the built-in
// ones included, so a user binary that registers its own gets the same CLI over them:
//   int main(int argc, char** argv) {
//     rlpp::register_env("MyEnv-v0", [](const rlpp::EnvContext& ctx) { return MyEnv(ctx); });
//     rlpp::register_trainer<MyTrainer>("MyAlgo");
//     return rlpp::cli::main(argc, argv);
//   }
// (cli/commands.hpp is the same without rlpp's algorithms.) docs/cli.md documents every command.

#include <csignal>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "rlpp/algorithms/all.hpp"
#include "rlpp/cli/commands.hpp"

namespace rlpp::cli {

// run_commands() with rlpp's built-in algorithms registered (harmless when done already).
inline int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  register_builtin_algorithms();
  return run_commands(args, out, err);
}

// The `rlpp` program: program_main() with rlpp's built-in algorithms.
inline int main(int argc, char** argv) { return program_main(argc, argv, register_builtin_algorithms); }

}  // namespace rlpp::cli
