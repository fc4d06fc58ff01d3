#pragma once
// Registers PG, A2C, A3C and PPO in the global trainer registry (algorithms/all.hpp registers
// every family; the rlpp tool compiles each family in its own translation unit).
#include "rlpp/algorithms/a3c/a2c.hpp"
#include "rlpp/algorithms/a3c/a3c.hpp"
#include "rlpp/algorithms/pg/pg.hpp"
#include "rlpp/algorithms/ppo/ppo.hpp"
#include "rlpp/trainer/registry.hpp"

namespace rlpp {
inline void register_on_policy_algorithms() {
  register_trainer<pg::Trainer>("PG");
  register_trainer<a2c::Trainer>("A2C");
  register_trainer<a3c::Trainer>("A3C");
  register_trainer<ppo::Trainer>("PPO");
}
}  // namespace rlpp
