#pragma once
// Registers DQN, SimpleQ and APEX in the global trainer registry.
#include "rlpp/algorithms/dqn/apex.hpp"
#include "rlpp/algorithms/dqn/dqn.hpp"
#include "rlpp/algorithms/dqn/simple_q.hpp"
#include "rlpp/trainer/registry.hpp"

namespace rlpp {
inline void register_dqn_algorithms() {
  register_trainer<dqn::Trainer>("DQN");
  register_trainer<simple_q::Trainer>("SimpleQ");
  register_trainer<apex::Trainer>("APEX");
}
}  // namespace rlpp
