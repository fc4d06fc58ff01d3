#pragma once
// Every built-in algorithm, and register_builtin_algorithms() that puts them into the global
// trainer registry under RLlib's names (the CLI calls it; calling it again is harmless).

#include "rlpp/algorithms/a3c/a2c.hpp"
#include "rlpp/algorithms/a3c/a3c.hpp"
#include "rlpp/algorithms/pg/pg.hpp"
#include "rlpp/algorithms/ppo/ppo.hpp"
#include "rlpp/trainer/registry.hpp"

namespace rlpp {

inline void register_builtin_algorithms() {
  register_trainer<pg::Trainer>("PG");
  register_trainer<a2c::Trainer>("A2C");
  register_trainer<a3c::Trainer>("A3C");
  register_trainer<ppo::Trainer>("PPO");
}

}  // namespace rlpp
