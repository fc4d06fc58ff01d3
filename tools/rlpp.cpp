// The stock `rlpp` command line: rlpp train | rollout | envs | algorithms | demo. Everything
// lives in rlpp/cli/ (cli.hpp: the same program as a library call, rlpp::cli::main), so that a
// user binary can register its own envs and algorithms and reuse the whole CLI (docs/cli.md).
// The built-in algorithms are registered from one translation unit per family
// (register_*.cpp), which the build compiles in parallel.
#include <rlpp/cli/commands.hpp>

#include "register_families.hpp"

int main(int argc, char** argv) { return rlpp::cli::program_main(argc, argv, rlpp_tool::register_all); }
