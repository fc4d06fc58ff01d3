#pragma once
// Every built-in algorithm, and register_builtin_algorithms() that puts them into the global
// trainer registry under RLlib's names (the CLI calls it; calling it again is harmless).

#include "rlpp/algorithms/register_ddpg.hpp"
#include "rlpp/algorithms/register_dqn.hpp"
#include "rlpp/algorithms/register_on_policy.hpp"
#include "rlpp/algorithms/register_sac.hpp"

namespace rlpp {

inline void register_builtin_algorithms() {
  register_on_policy_algorithms();
  register_dqn_algorithms();
  register_sac_algorithms();
  register_ddpg_algorithms();
}

}  // namespace rlpp
