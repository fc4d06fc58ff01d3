// The stock `rlpp` command line: rlpp train | rollout | envs | algorithms | demo. Everything
// lives in rlpp/cli/cli.hpp, so that a user binary can register its own envs and algorithms and
// reuse the whole CLI (docs/cli.md).
#include <rlpp/cli/cli.hpp>

int main(int argc, char** argv) { return rlpp::cli::main(argc, argv); }
