// Beta: concentrations softplus(x) + 1, closed-form logp/entropy/kl (with the Box scaling), the
// density integrating to 1, gradients, sample moments, actions within bounds.

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distribution_support.hpp"
#include "rlpp/distributions/beta.hpp"

using namespace rlpp::dist_test;
using rlpp::BasicBeta;
using rlpp::Beta;
using rlpp::Box;
using rlpp::RandomStream;
using rlpp::Space;
using rlpp::ad::test::error_message;

namespace {
// The input x with softplus(x) + 1 = c.
double input_for(double concentration) { return std::log(std::exp(concentration - 1.0) - 1.0); }
}  // namespace

TEST_CASE("Beta logp, entropy and kl match the closed forms for Beta(2, 3)") {
  // Beta(2, 3): B(2, 3) = 1! 2! / 4! = 1/12, pdf(x) = 12 x (1 - x)^2, pdf(1/2) = 1.5.
  // On Box [-1, 3] (range 4) the action -1 + 4 x has density pdf(x) / 4.
  // Entropy: log B - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b) with psi(n) = H(n-1) - gamma:
  //   -log 12 - (1 - g) - 2 (3/2 - g) + 3 (25/12 - g) = 9/4 - log 12, plus log 4 for the scaling.
  // KL(Beta(2, 3) || Beta(3, 2)) = log B(3,2) - log B(2,3) - psi(2) + psi(3) + 0 psi(5) = 1/2.
  TapeD tape;
  const Space space = Box(-1.0, 3.0, {1});
  BasicBeta<double> dist(tape.constant(MatrixD{{input_for(2.0), input_for(3.0)}}), space);
  CHECK(dist.alpha().value()(0, 0) == doctest::Approx(2.0));
  CHECK(dist.beta().value()(0, 0) == doctest::Approx(3.0));
  CHECK(dist.required_model_output_shape(space) == 2);
  CHECK(dist.logp(tape.constant(MatrixD{{1.0}})).value()(0, 0) == doctest::Approx(std::log(1.5) - std::log(4.0)));
  CHECK(dist.entropy().value()(0, 0) == doctest::Approx(9.0 / 4 - std::log(12.0) + std::log(4.0)));
  BasicBeta<double> mirrored(tape.constant(MatrixD{{input_for(3.0), input_for(2.0)}}), space);
  CHECK(dist.kl(mirrored).value()(0, 0) == doctest::Approx(0.5));
  CHECK(dist.kl(dist).value()(0, 0) == doctest::Approx(0.0));
  MatrixD best;
  dist.deterministic_sample(best);
  CHECK(best(0, 0) == doctest::Approx(-1.0 + 4.0 * 2.0 / 5.0));  // low + range * a / (a + b)
}

TEST_CASE("Beta's density integrates to 1 over [low, high]") {
  const int n = 20001;
  const double low = 2.0, high = 2.5, h = (high - low) / (n - 1);
  TapeD tape;
  MatrixD inputs(n, 2), actions(n, 1);
  for (int i = 0; i < n; ++i) {
    inputs.row(i) << 0.7, -0.4;
    actions(i, 0) = low + i * h;
  }
  BasicBeta<double> dist(tape.constant(inputs), Space(Box(low, high, {1})));
  const MatrixD logp = dist.logp(tape.constant(actions)).value();
  double integral = 0.0;
  for (int i = 0; i < n; ++i) integral += (i == 0 || i == n - 1 ? 0.5 : 1.0) * std::exp(logp(i, 0)) * h;
  CHECK(integral == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("Beta logp, entropy and kl pass gradcheck") {
  const Space space = Box({-1.0, 0.0}, {1.0, 10.0});
  RandomStream rng(81);
  const MatrixD p_inputs = rlpp::ad::test::random_matrix(rng, 3, 4, -3.0, 3.0);
  const MatrixD q_inputs = rlpp::ad::test::random_matrix(rng, 3, 4, -3.0, 3.0);
  MatrixD actions(3, 2);
  for (Eigen::Index r = 0; r < 3; ++r) {
    actions(r, 0) = rng.uniform(-0.9, 0.9);
    actions(r, 1) = rng.uniform(0.5, 9.5);
  }
  const MatrixD weights = row_weights(3, 82);
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) { return BasicBeta<double>(in[0], space).logp(in[1]) * t.constant(weights); },
      {p_inputs, actions});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) { return BasicBeta<double>(in[0], space).entropy() * t.constant(weights); },
      {p_inputs});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicBeta<double>(in[0], space).kl(BasicBeta<double>(in[1], space)) * t.constant(weights);
      },
      {p_inputs, q_inputs});
}

TEST_CASE("Beta samples have the scaled Beta mean and variance") {
  // Beta(2, 5) on [0, 1]: mean a / (a+b) = 2/7, variance ab / ((a+b)^2 (a+b+1)) = 10/392; on
  // [-2, 2] the mean is -2 + 4 * 2/7 and the variance 16 times that. Standard errors: sigma /
  // sqrt(N) for the mean, sqrt((mu4 - sigma^4) / N) for the variance, where the excess kurtosis
  //   6 ((a-b)^2 (a+b+1) - ab (a+b+2)) / (ab (a+b+2) (a+b+3)) = 6 (72 - 90) / 900 = -0.12
  // gives mu4 - sigma^4 = (2 - 0.12) sigma^4.
  rlpp::ad::Tape tape;
  const int n = 20000;
  rlpp::ad::Matrix inputs(n, 2);
  for (int r = 0; r < n; ++r) inputs.row(r) << static_cast<float>(input_for(2.0)), static_cast<float>(input_for(5.0));
  Beta dist(tape.constant(inputs), Space(Box(-2.0, 2.0, {1})));
  RandomStream rng(91);
  rlpp::nn::Matrix actions;
  dist.sample(rng, actions);
  std::vector<double> xs(n);
  for (int r = 0; r < n; ++r) {
    REQUIRE(actions(r, 0) >= -2.0f);
    REQUIRE(actions(r, 0) <= 2.0f);
    xs[static_cast<std::size_t>(r)] = actions(r, 0);
  }
  const Moments m = moments(xs);
  const double mean = -2.0 + 4.0 * 2.0 / 7.0, variance = 16.0 * 10.0 / 392.0;
  CHECK(std::abs(m.mean - mean) < 4.0 * std::sqrt(variance / n));
  CHECK(std::abs(m.variance - variance) < 4.0 * variance * std::sqrt(1.88 / n));
  CHECK(dist.sampled_action_logp().value().allFinite());
}

TEST_CASE("Beta actions stay within the bounds and have finite logp for extreme inputs") {
  rlpp::ad::Tape tape;
  const Space space = Box({-1.0, 100.0}, {1.0, 100.001});
  rlpp::ad::Matrix inputs{{40.0f, -40.0f, -40.0f, 40.0f}, {13.0f, 13.0f, -13.0f, -13.0f}};
  RandomStream rng(17);
  for (int i = 0; i < 300; ++i) {
    tape.reset();
    Beta dist(tape.constant(inputs), space);
    rlpp::nn::Matrix actions;
    dist.sample(rng, actions);
    for (Eigen::Index r = 0; r < actions.rows(); ++r) {
      REQUIRE(actions(r, 0) >= -1.0f);
      REQUIRE(actions(r, 0) <= 1.0f);
      REQUIRE(actions(r, 1) >= 100.0f);
      REQUIRE(actions(r, 1) <= 100.001f);
    }
    REQUIRE(dist.sampled_action_logp().value().allFinite());
  }
  CHECK(error_message([&] { Beta::required_model_output_shape(Space(rlpp::Discrete(2))); }).find("float32 Box") !=
        std::string::npos);
}
