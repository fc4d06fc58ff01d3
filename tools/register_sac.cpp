#include <rlpp/algorithms/register_sac.hpp>

#include "register_families.hpp"

void rlpp_tool::register_sac() { rlpp::register_sac_algorithms(); }
