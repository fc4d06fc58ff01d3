#include <rlpp/algorithms/register_ddpg.hpp>

#include "register_families.hpp"

void rlpp_tool::register_ddpg() { rlpp::register_ddpg_algorithms(); }
