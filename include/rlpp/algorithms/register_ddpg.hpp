#pragma once
// Registers DDPG and TD3 in the global trainer registry.
#include "rlpp/algorithms/ddpg/ddpg.hpp"
#include "rlpp/algorithms/ddpg/td3.hpp"
#include "rlpp/trainer/registry.hpp"

namespace rlpp {
inline void register_ddpg_algorithms() {
  register_trainer<ddpg::Trainer>("DDPG");
  register_trainer<td3::Trainer>("TD3");
}
}  // namespace rlpp
