// SquashedGaussian: the tanh change of variables with its bound scaling (values by hand, and the
// density integrating to 1 over the Box), clamped log stds, gradients, sampling quantiles, actions
// within bounds, rsample, and the errors for entropy, kl and unbounded Boxes.

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distribution_support.hpp"
#include "rlpp/distributions/squashed_gaussian.hpp"

using namespace rlpp::dist_test;
using rlpp::BasicSquashedGaussian;
using rlpp::Box;
using rlpp::RandomStream;
using rlpp::SquashedGaussian;
using rlpp::Space;
using rlpp::ad::test::error_message;

TEST_CASE("SquashedGaussian logp is the Gaussian's minus log|da/du| through tanh and the bounds") {
  // dim 0: Box [0, 4], mean 0, std 1, action 2 + 2 tanh(0.5) (u = 0.5):
  //   log N(0.5; 0, 1) - log(1 - tanh(0.5)^2) - log((4 - 0) / 2)
  // dim 1: Box [-1, 1], mean 1, std 0.5, action 0 (u = 0, z = -2):
  //   -(-2)^2 / 2 - log 0.5 - log(2 pi) / 2 - log(1 - 0) - log(1)
  TapeD tape;
  const Space space = Box({0.0, -1.0}, {4.0, 1.0});
  BasicSquashedGaussian<double> dist(tape.constant(MatrixD{{0.0, 1.0, 0.0, std::log(0.5)}}), space);
  CHECK(dist.required_model_output_shape(space) == 4);
  const double t = std::tanh(0.5);
  const double dim0 = -0.125 - 0.5 * log_two_pi - std::log(1.0 - t * t) - std::log(2.0);
  const double dim1 = -2.0 - std::log(0.5) - 0.5 * log_two_pi;
  CHECK(dist.logp(tape.constant(MatrixD{{2.0 + 2.0 * t, 0.0}})).value()(0, 0) == doctest::Approx(dim0 + dim1).epsilon(1e-9));
  MatrixD best;
  dist.deterministic_sample(best);
  CHECK(best(0, 0) == doctest::Approx(2.0));            // 0 + (tanh(0) + 1) / 2 * 4
  CHECK(best(0, 1) == doctest::Approx(std::tanh(1.0)));  // -1 + (tanh(1) + 1) / 2 * 2
}

TEST_CASE("SquashedGaussian's density integrates to 1 over [low, high]") {
  // Trapezoid rule over a fine grid of Box [-3, 5] for N(0.3, 0.6^2) squashed.
  const int n = 40001;
  const double low = -3.0, high = 5.0, h = (high - low) / (n - 1);
  TapeD tape;
  MatrixD inputs(n, 2), actions(n, 1);
  for (int i = 0; i < n; ++i) {
    inputs.row(i) << 0.3, std::log(0.6);
    actions(i, 0) = low + i * h;
  }
  BasicSquashedGaussian<double> dist(tape.constant(inputs), Space(Box(low, high, {1})));
  const MatrixD logp = dist.logp(tape.constant(actions)).value();
  double integral = 0.0;
  for (int i = 0; i < n; ++i) integral += (i == 0 || i == n - 1 ? 0.5 : 1.0) * std::exp(logp(i, 0)) * h;
  CHECK(integral == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("SquashedGaussian clamps log stds to [-20, 2]") {
  rlpp::ad::Tape tape;
  SquashedGaussian dist(tape.constant(rlpp::ad::Matrix{{0.0f, 0.0f, 5.0f, -30.0f}}), Space(Box(-1.0, 1.0, {2})));
  CHECK(dist.log_std().value()(0, 0) == 2.0f);
  CHECK(dist.log_std().value()(0, 1) == -20.0f);
}

TEST_CASE("SquashedGaussian logp and rsample pass gradcheck") {
  const Space space = Box({-1.0, 0.0, -5.0}, {1.0, 2.0, 10.0});
  RandomStream rng(61);
  MatrixD inputs = rlpp::ad::test::random_matrix(rng, 4, 6, -1.5, 1.5);
  // actions strictly inside the bounds (away from the clipping)
  MatrixD actions(4, 3);
  for (Eigen::Index r = 0; r < 4; ++r) {
    actions(r, 0) = rng.uniform(-0.9, 0.9);
    actions(r, 1) = rng.uniform(0.1, 1.9);
    actions(r, 2) = rng.uniform(-4.0, 9.0);
  }
  const MatrixD weights = row_weights(4, 62);
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicSquashedGaussian<double>(in[0], space).logp(in[1]) * t.constant(weights);
      },
      {inputs, actions});
  const MatrixD action_weights = rlpp::ad::test::seeded_matrix(4, 3, 63);
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        RandomStream draws(8);
        const auto s = BasicSquashedGaussian<double>(in[0], space).rsample(draws);
        return rlpp::ad::add(rlpp::ad::row_sum(s.actions * t.constant(action_weights)), s.logp * t.constant(weights));
      },
      {inputs});
}

TEST_CASE("SquashedGaussian samples are tanh-squashed normals: quantiles at the mean and one std above") {
  // P(a <= squash(mean)) = 1/2 and P(a <= squash(mean + std)) = Phi(1); standard error
  // sqrt(p (1 - p) / N).
  rlpp::ad::Tape tape;
  const int n = 20000;
  const double mean = 0.4, log_std = std::log(0.8), low = -2.0, high = 3.0;
  rlpp::ad::Matrix inputs(n, 2);
  for (int r = 0; r < n; ++r) inputs.row(r) << static_cast<float>(mean), static_cast<float>(log_std);
  SquashedGaussian dist(tape.constant(inputs), Space(Box(low, high, {1})));
  RandomStream rng(123);
  rlpp::nn::Matrix actions;
  dist.sample(rng, actions);
  const auto squash = [&](double u) { return low + (std::tanh(u) + 1.0) / 2.0 * (high - low); };
  const double at_mean = squash(mean), one_std_up = squash(mean + 0.8);
  double below_mean = 0, below_up = 0;
  for (int r = 0; r < n; ++r) {
    below_mean += actions(r, 0) <= at_mean;
    below_up += actions(r, 0) <= one_std_up;
  }
  const double p1 = standard_normal_cdf(1.0);
  CHECK(std::abs(below_mean / n - 0.5) < 4.0 * std::sqrt(0.25 / n));
  CHECK(std::abs(below_up / n - p1) < 4.0 * std::sqrt(p1 * (1 - p1) / n));
}

TEST_CASE("SquashedGaussian actions stay within the bounds and have finite logp, even saturated") {
  rlpp::ad::Tape tape;
  const Space space = Box({-1.0, 10.0}, {1.0, 10.5});
  rlpp::ad::Matrix inputs{{50.0f, -50.0f, 2.0f, 2.0f}, {0.0f, 0.0f, 2.0f, 2.0f}, {-3.0f, 3.0f, -1.0f, 1.0f}};
  RandomStream rng(9);
  for (int i = 0; i < 300; ++i) {
    tape.reset();
    SquashedGaussian dist(tape.constant(inputs), space);
    rlpp::nn::Matrix actions;
    dist.sample(rng, actions);
    for (Eigen::Index r = 0; r < actions.rows(); ++r) {
      REQUIRE(actions(r, 0) >= -1.0f);
      REQUIRE(actions(r, 0) <= 1.0f);
      REQUIRE(actions(r, 1) >= 10.0f);
      REQUIRE(actions(r, 1) <= 10.5f);
    }
    REQUIRE(dist.sampled_action_logp().value().allFinite());
    const auto s = dist.rsample(rng);
    REQUIRE((s.actions.value().col(0).array() >= -1.0f).all());
    REQUIRE((s.actions.value().col(0).array() <= 1.0f).all());
    REQUIRE((s.actions.value().col(1).array() >= 10.0f).all());
    REQUIRE((s.actions.value().col(1).array() <= 10.5f).all());
    REQUIRE(s.logp.value().allFinite());
  }
}

TEST_CASE("SquashedGaussian rsample logp equals logp of its actions; sampled_action_logp is logp of the sample") {
  TapeD tape;
  const Space space = Box({-1.0, 0.0}, {1.0, 5.0});
  BasicSquashedGaussian<double> dist(tape.constant(rlpp::ad::test::seeded_matrix(8, 4, 71, 1.0)), space);
  RandomStream rng(4);
  const auto s = dist.rsample(rng);
  CHECK(mismatch_free(s.logp.value(), dist.logp(tape.constant(MatrixD(s.actions.value()))).value(), 1e-7));
  MatrixD actions;
  dist.sample(rng, actions);
  CHECK(mismatch_free(dist.sampled_action_logp().value(), dist.logp(tape.constant(actions)).value(), 1e-12));
}

TEST_CASE("SquashedGaussian has no entropy or kl, and needs a bounded Box") {
  rlpp::ad::Tape tape;
  SquashedGaussian dist(tape.constant(rlpp::ad::Matrix::Zero(1, 2)), Space(Box(-1.0, 1.0, {1})));
  CHECK(error_message([&] { (void)dist.entropy(); }).find("no closed form") != std::string::npos);
  CHECK(error_message([&] { (void)dist.kl(dist); }).find("no closed form") != std::string::npos);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(error_message([&] { SquashedGaussian::required_model_output_shape(Space(Box(-inf, inf, {2}))); })
            .find("finite bounds") != std::string::npos);
}
