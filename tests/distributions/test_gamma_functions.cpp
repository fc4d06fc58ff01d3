// The gamma-function family behind the Beta distribution: values at points known in closed
// form, the tape ops' gradients (digamma for lgamma, trigamma for digamma), and Gamma draws.

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distribution_support.hpp"
#include "rlpp/distributions/detail/gamma_functions.hpp"

using namespace rlpp::dist_test;
using rlpp::RandomStream;
namespace detail = rlpp::dist_detail;

TEST_CASE("log_gamma matches Gamma at integers and halves") {
  CHECK(detail::log_gamma(1.0) == doctest::Approx(0.0).epsilon(1e-14));
  CHECK(detail::log_gamma(2.0) == doctest::Approx(0.0).epsilon(1e-14));
  CHECK(detail::log_gamma(5.0) == doctest::Approx(std::log(24.0)).epsilon(1e-14));  // 4! = 24
  CHECK(detail::log_gamma(0.5) == doctest::Approx(0.5 * std::log(pi)).epsilon(1e-14));  // Gamma(1/2) = sqrt(pi)
  CHECK(detail::log_gamma(3.5) == doctest::Approx(std::log(15.0 / 8.0 * std::sqrt(pi))).epsilon(1e-14));  // 5/2 3/2 1/2 sqrt(pi)
  CHECK(detail::log_gamma(30.0) == doctest::Approx(std::lgamma(30.0)).epsilon(1e-14));
  CHECK(detail::log_gamma(1e-3) == doctest::Approx(std::lgamma(1e-3)).epsilon(1e-13));
  CHECK(std::isnan(detail::log_gamma(0.0)));
  CHECK(std::isnan(detail::log_gamma(-1.5)));
}

TEST_CASE("digamma is the harmonic number minus Euler's gamma at integers") {
  CHECK(detail::digamma(1.0) == doctest::Approx(-euler_gamma).epsilon(1e-14));
  CHECK(detail::digamma(2.0) == doctest::Approx(1.0 - euler_gamma).epsilon(1e-14));
  CHECK(detail::digamma(5.0) == doctest::Approx(1.0 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4 - euler_gamma).epsilon(1e-14));
  CHECK(detail::digamma(0.5) == doctest::Approx(-euler_gamma - 2.0 * std::log(2.0)).epsilon(1e-14));
  CHECK(detail::digamma(100.0) == doctest::Approx(4.60016185273849).epsilon(1e-13));
}

TEST_CASE("trigamma is pi^2/6 at 1 and pi^2/2 at 1/2") {
  CHECK(detail::trigamma(1.0) == doctest::Approx(pi * pi / 6).epsilon(1e-14));
  CHECK(detail::trigamma(0.5) == doctest::Approx(pi * pi / 2).epsilon(1e-14));
  CHECK(detail::trigamma(3.0) == doctest::Approx(pi * pi / 6 - 1.0 - 1.0 / 4).epsilon(1e-14));  // psi1(n+1) = psi1(n) - 1/n^2
}

TEST_CASE("digamma and trigamma are the derivatives of log_gamma and digamma") {
  for (double x : {0.3, 1.0, 2.7, 9.99, 10.0, 10.01, 42.0}) {
    CAPTURE(x);
    const double h = 1e-5 * x;
    CHECK(detail::digamma(x) == doctest::Approx((detail::log_gamma(x + h) - detail::log_gamma(x - h)) / (2 * h)).epsilon(1e-8));
    CHECK(detail::trigamma(x) == doctest::Approx((detail::digamma(x + h) - detail::digamma(x - h)) / (2 * h)).epsilon(1e-7));
  }
}

TEST_CASE("lgamma_op and digamma_op pass gradcheck") {
  RandomStream rng(11);
  const MatrixD x = rlpp::ad::test::random_matrix(rng, 3, 4, 0.2, 14.0);
  const MatrixD w = rlpp::ad::test::random_matrix(rng, 3, 4, -1.0, 1.0);
  RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return detail::lgamma_op(in[0]) * t.constant(w); }, {x});
  RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return detail::digamma_op(in[0]) * t.constant(w); }, {x});
}

TEST_CASE("Gamma draws have mean and variance equal to the shape") {
  // Gamma(k, 1): mean k, variance k, fourth central moment 3k^2 + 6k, so the standard error of
  // the sample variance is sqrt((3k^2 + 6k - k^2) / N).
  for (double shape : {0.5, 1.0, 2.5, 30.0}) {
    CAPTURE(shape);
    RandomStream rng(2024);
    const int n = 40000;
    std::vector<double> xs(n);
    for (double& x : xs) x = detail::sample_gamma(rng, shape);
    const Moments m = moments(xs);
    CHECK(std::abs(m.mean - shape) < 4.0 * std::sqrt(shape / n));
    CHECK(std::abs(m.variance - shape) < 4.0 * std::sqrt((2 * shape * shape + 6 * shape) / n));
    for (double x : xs) REQUIRE(x > 0.0);
  }
}
