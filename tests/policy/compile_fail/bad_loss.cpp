// expect: must satisfy the loss concept
// A "loss" that cannot be called with the policy's LossContext.
#include "rlpp/policy/policy.hpp"

struct NotALoss {
  float operator()(int) const { return 0.0f; }
};

using Broken = rlpp::build_policy<"Broken", rlpp::loss<NotALoss>>;
static_assert(sizeof(Broken) > 0);

int main() {}
