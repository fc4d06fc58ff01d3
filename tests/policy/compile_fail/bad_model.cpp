// expect: must satisfy the rlpp::policy_model concept
// A model without forward/value_function: build_policy names the concept it misses.
#include "rlpp/policy/policy.hpp"

struct NotAModel {
  int layers = 2;
};

using Broken = rlpp::build_policy<"Broken", rlpp::model<NotAModel>>;
static_assert(sizeof(Broken) > 0);

int main() {}
