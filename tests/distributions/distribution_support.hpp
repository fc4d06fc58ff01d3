#pragma once
// Helpers shared by the distribution tests: the autodiff helpers (seeded matrices, gradcheck
// macro, error text), a few spaces, and sample statistics with their standard errors.

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/autodiff_support.hpp"
#include "rlpp/distributions/catalog.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp::dist_test {

using ad::MatrixD;
using ad::TapeD;
using ad::VarD;

inline constexpr double pi = 3.14159265358979323846;
inline constexpr double euler_gamma = 0.57721566490153286061;
inline const double log_two_pi = std::log(2.0 * pi);

// Mean and (unbiased) variance of a sample.
struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};
inline Moments moments(const std::vector<double>& xs) {
  Moments m;
  for (double x : xs) m.mean += x;
  m.mean /= static_cast<double>(xs.size());
  for (double x : xs) m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= static_cast<double>(xs.size() - 1);
  return m;
}

// Pearson's chi-square statistic of observed counts against expected probabilities.
inline double chi_square(const std::vector<double>& counts, const std::vector<double>& probabilities) {
  double total = 0.0;
  for (double c : counts) total += c;
  double statistic = 0.0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double expected = total * probabilities[i];
    statistic += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  return statistic;
}
// Upper 0.1% points of chi-square with 1 ... 6 degrees of freedom (any table).
inline double chi_square_critical_0001(std::size_t dof) {
  static const double table[] = {0.0, 10.828, 13.816, 16.266, 18.467, 20.515, 22.458};
  REQUIRE(dof >= 1);
  REQUIRE(dof <= 6);
  return table[dof];
}

// Elementwise agreement within tol * max(1, |expected|).
template <class A, class E>
bool mismatch_free(const Eigen::DenseBase<A>& actual, const Eigen::DenseBase<E>& expected, double tol = 1e-10) {
  const std::string text = ad::test::mismatch(actual, expected, tol);
  if (!text.empty()) MESSAGE(text);
  return text.empty();
}

inline double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// A [rows, 1] column of weights: a gradcheck of sum(w * f) catches per-row mistakes a plain sum
// could hide.
inline MatrixD row_weights(Eigen::Index rows, std::uint64_t seed) {
  RandomStream rng(seed);
  return ad::test::random_matrix(rng, rows, 1, 0.5, 1.5);
}

}  // namespace rlpp::dist_test
