#pragma once
// gradcheck: compares the analytic gradient of a scalar function of matrices (built on a
// double-precision tape with the same ops) with central finite differences, element by element.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "rlpp/autodiff/ops/reduce.hpp"
#include "rlpp/autodiff/tape.hpp"

namespace rlpp::ad {

using MatrixD = BasicMatrix<double>;
using TapeD = BasicTape<double>;
using VarD = BasicVar<double>;

struct GradcheckOptions {
  double eps = 1e-6;       // finite-difference step
  double abs_tol = 1e-6;   // an element passes if |analytic - numeric| <= abs_tol + rel_tol * |numeric|
  double rel_tol = 1e-5;
};

struct GradcheckResult {
  bool ok = true;
  double max_error = 0.0;  // largest |analytic - numeric| - tolerance excess seen (<= 0 when ok)
  std::string worst;       // the worst element, e.g. "input 1 (3x4) element (2, 1): analytic 0.31, numeric 0.29"
};

// f(tape, inputs) -> value; the loss is the sum of its elements. Every input is a variable.
template <class F>
GradcheckResult gradcheck(F&& f, std::vector<MatrixD> inputs, const GradcheckOptions& options = {}) {
  TapeD tape;
  std::vector<VarD> vars;
  auto evaluate = [&](std::vector<VarD>& out_vars) {
    tape.reset();
    out_vars.clear();
    for (const auto& m : inputs) out_vars.push_back(tape.variable(m));
    VarD y = f(tape, std::span<const VarD>(out_vars));
    return y.size() == 1 ? y : sum(y);
  };
  VarD loss = evaluate(vars);
  tape.backward(loss);
  std::vector<MatrixD> analytic;
  for (const auto& v : vars) analytic.emplace_back(v.grad());

  GradcheckResult result;
  double worst_excess = -1e300;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    for (Eigen::Index i = 0; i < inputs[k].size(); ++i) {
      double& x = inputs[k].data()[i];
      const double saved = x;
      x = saved + options.eps;
      const double plus = evaluate(vars).item();
      x = saved - options.eps;
      const double minus = evaluate(vars).item();
      x = saved;
      const double numeric = (plus - minus) / (2 * options.eps);
      const double a = analytic[k].data()[i];
      const double excess = std::abs(a - numeric) - (options.abs_tol + options.rel_tol * std::abs(numeric));
      if (excess > worst_excess || std::isnan(a) || std::isnan(numeric)) {
        worst_excess = std::isnan(a) || std::isnan(numeric) ? 1e300 : excess;
        char text[200];
        std::snprintf(text, sizeof text, "input %zu (%ldx%ld) element (%ld, %ld): analytic %.9g, numeric %.9g", k,
                      static_cast<long>(inputs[k].rows()), static_cast<long>(inputs[k].cols()),
                      static_cast<long>(i / inputs[k].cols()), static_cast<long>(i % inputs[k].cols()), a, numeric);
        result.worst = text;
      }
    }
  }
  result.max_error = worst_excess;
  result.ok = worst_excess <= 0.0;
  return result;
}

}  // namespace rlpp::ad
