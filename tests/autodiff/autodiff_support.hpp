#pragma once
// Helpers shared by the autodiff tests: seeded random matrices (rlpp::RandomStream, so every
// run checks the same numbers), a gradcheck that reports its worst element, and the text of a
// thrown rlpp::Error.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/autodiff/gradcheck.hpp"
#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"

namespace rlpp::ad::test {

// Uniform in [low, high), filled row by row.
inline MatrixD random_matrix(RandomStream& rng, Eigen::Index rows, Eigen::Index cols, double low = -2.0,
                             double high = 2.0) {
  MatrixD m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(low, high);
  return m;
}

// Uniform in [-scale, scale), from its own seed.
inline MatrixD seeded_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed, double scale = 2.0) {
  RandomStream rng(seed);
  return random_matrix(rng, rows, cols, -scale, scale);
}

// 0, 1, 2, ... in row-major order.
inline Matrix counting(Eigen::Index rows, Eigen::Index cols) {
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(i);
  return m;
}

// Uniform in [low, high) with |x| >= margin: keeps inputs away from kinks (relu, abs, clamp
// bounds) and poles (div, log) where central differences straddle the non-smooth point.
inline MatrixD random_away_from_zero(RandomStream& rng, Eigen::Index rows, Eigen::Index cols, double low,
                                     double high, double margin = 0.1) {
  MatrixD m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    double x = 0.0;
    do x = rng.uniform(low, high);
    while (x > -margin && x < margin);
    m.data()[i] = x;
  }
  return m;
}

// The shapes each elementwise op is gradchecked at: 1x1, a row, a column, a rectangle.
inline const std::vector<std::pair<Eigen::Index, Eigen::Index>>& test_shapes() {
  static const std::vector<std::pair<Eigen::Index, Eigen::Index>> shapes = {{1, 1}, {1, 5}, {4, 1}, {3, 4}, {6, 7}};
  return shapes;
}

// "" when actual and expected have one shape and every element agrees within
// tol * max(1, |expected|) (infinities must match exactly); otherwise both matrices, for the
// failing CHECK(mismatch(...) == "") to print.
template <class A, class E>
std::string mismatch(const Eigen::DenseBase<A>& actual, const Eigen::DenseBase<E>& expected, double tol = 1e-12) {
  const MatrixD a = actual.derived().template cast<double>();
  const MatrixD e = expected.derived().template cast<double>();
  bool same = a.rows() == e.rows() && a.cols() == e.cols();
  for (Eigen::Index i = 0; same && i < a.size(); ++i) {
    const double x = a.data()[i], y = e.data()[i];
    same = std::isinf(y) ? x == y : std::abs(x - y) <= tol * std::max(1.0, std::abs(y));
  }
  if (same) return {};
  std::ostringstream text;
  text.precision(10);
  text << "actual " << a.rows() << "x" << a.cols() << ":\n" << a << "\nexpected " << e.rows() << "x" << e.cols()
       << ":\n" << e;
  return text.str();
}

// The message of the rlpp::Error that f() throws ("" and a failed check if it throws none).
template <class F>
std::string error_message(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const rlpp::Error& e) {
    return e.what();
  }
  FAIL_CHECK("no rlpp::Error was thrown");
  return {};
}

}  // namespace rlpp::ad::test

// CHECKs that the analytic gradient matches central differences, printing the worst element
// when it does not. Arguments as for rlpp::ad::gradcheck(f, inputs[, options]).
#define RLPP_CHECK_GRADIENTS(...)                                                        \
  do {                                                                                   \
    const ::rlpp::ad::GradcheckResult gradcheck_result_ = ::rlpp::ad::gradcheck(__VA_ARGS__); \
    INFO("gradcheck worst element: ", gradcheck_result_.worst);                          \
    CHECK(gradcheck_result_.ok);                                                         \
  } while (false)
