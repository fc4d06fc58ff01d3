#pragma once
// Learner statistics losses report (RLlib's explained_variance).

#include <cstddef>

#include "rlpp/nn/parameters.hpp"

namespace rlpp {

// max(-1, 1 - Var[targets - predictions] / Var[targets]) (RLlib's explained_variance); -1 when
// the targets do not vary.
template <class A, class B>
double explained_variance(const A& targets, const B& predictions) {
  const auto n = static_cast<double>(targets.size());
  if (n == 0) return 0.0;
  const double mean_y = targets.template cast<double>().sum() / n;
  const double var_y = (targets.template cast<double>().array() - mean_y).square().sum() / n;
  const auto diff = (targets.template cast<double>() - predictions.template cast<double>()).eval();
  const double mean_d = diff.sum() / n;
  const double var_d = (diff.array() - mean_d).square().sum() / n;
  if (var_y <= 0.0) return -1.0;
  const double ev = 1.0 - var_d / var_y;
  return ev < -1.0 ? -1.0 : ev;
}

}  // namespace rlpp
