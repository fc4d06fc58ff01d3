// expect: must satisfy the rlpp::exploration_strategy concept
// An exploration strategy without get_state/set_state (checkpoints need them).
#include "rlpp/policy/policy.hpp"

struct NoState {
  explicit NoState(const rlpp::ExplorationContext&) {}
};

using Broken = rlpp::build_policy<"Broken", rlpp::exploration<NoState>>;
static_assert(sizeof(Broken) > 0);

int main() {}
