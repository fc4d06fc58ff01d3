// expect: must satisfy the rlpp::action_distribution concept
// A distribution without logp/entropy/kl: build_policy names the concept it misses.
#include "rlpp/policy/policy.hpp"

struct NotADistribution {
  float sample() const { return 0.0f; }
};

using Broken = rlpp::build_policy<"Broken", rlpp::action_dist<NotADistribution>>;
static_assert(sizeof(Broken) > 0);

int main() {}
