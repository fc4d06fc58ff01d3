#pragma once
// Registers SAC in the global trainer registry.
#include "rlpp/algorithms/sac/sac.hpp"
#include "rlpp/trainer/registry.hpp"

namespace rlpp {
inline void register_sac_algorithms() { register_trainer<sac::Trainer>("SAC"); }
}  // namespace rlpp
