#include <rlpp/algorithms/register_dqn.hpp>

#include "register_families.hpp"

void rlpp_tool::register_dqn() { rlpp::register_dqn_algorithms(); }
