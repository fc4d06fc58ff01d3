#include <rlpp/algorithms/register_on_policy.hpp>

#include "register_families.hpp"

void rlpp_tool::register_on_policy() { rlpp::register_on_policy_algorithms(); }
