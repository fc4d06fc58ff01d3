#pragma once
// Every built-in algorithm, and register_builtin_algorithms() that puts them into the global
// trainer registry under RLlib's names (the CLI calls it; calling it twice is harmless).

#include "rlpp/trainer/registry.hpp"

namespace rlpp {

inline void register_builtin_algorithms() {
  // Filled in as the algorithms land (PG, A2C, A3C, ...).
}

}  // namespace rlpp
