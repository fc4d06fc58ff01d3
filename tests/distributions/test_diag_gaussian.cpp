// DiagGaussian: closed-form logp/entropy/kl, gradients (inputs and actions), sample moments,
// the mean as deterministic sample, and rsample (differentiable, logp consistent).

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distribution_support.hpp"
#include "rlpp/distributions/diag_gaussian.hpp"

using namespace rlpp::dist_test;
using rlpp::BasicDiagGaussian;
using rlpp::Box;
using rlpp::DiagGaussian;
using rlpp::RandomStream;
using rlpp::Space;
using rlpp::ad::test::error_message;

TEST_CASE("DiagGaussian logp, entropy and kl match the closed forms") {
  // Two dims: N(1, 2^2) and N(-1, 1).
  TapeD tape;
  const Space space = Box(-1.0, 1.0, {2});
  const double log2 = std::log(2.0);
  BasicDiagGaussian<double> dist(tape.constant(MatrixD{{1.0, -1.0, log2, 0.0}}), space);
  CHECK(dist.required_model_output_shape(space) == 4);
  // a = (3, -1): z = (1, 0): logp = -(1/2)(1 + 0) - (log 2 + 0) - 2 * log(2 pi) / 2
  CHECK(dist.logp(tape.constant(MatrixD{{3.0, -1.0}})).value()(0, 0) == doctest::Approx(-0.5 - log2 - log_two_pi));
  CHECK(dist.entropy().value()(0, 0) == doctest::Approx(log2 + (log_two_pi + 1.0)));  // sum log std + d/2 (log 2pi + 1)
  // Against q = N(0, 1) per dim: [0 - log 2 + (4 + 1)/2 - 1/2] + [0 - 0 + (1 + 1)/2 - 1/2] = 2 - log 2 + 1/2.
  BasicDiagGaussian<double> standard(tape.constant(MatrixD::Zero(1, 4)), space);
  CHECK(dist.kl(standard).value()(0, 0) == doctest::Approx(2.0 - log2 + 0.5));
  CHECK(dist.kl(dist).value()(0, 0) == doctest::Approx(0.0));
}

TEST_CASE("DiagGaussian logp, entropy, kl and rsample pass gradcheck") {
  const Space space = Box(-2.0, 2.0, {3});
  const MatrixD p_inputs = rlpp::ad::test::seeded_matrix(4, 6, 41, 1.5);
  const MatrixD q_inputs = rlpp::ad::test::seeded_matrix(4, 6, 42, 1.5);
  const MatrixD actions = rlpp::ad::test::seeded_matrix(4, 3, 43);
  const MatrixD weights = row_weights(4, 44);
  // logp w.r.t. the inputs and the actions
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) { return BasicDiagGaussian<double>(in[0], space).logp(in[1]) * t.constant(weights); },
      {p_inputs, actions});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) { return BasicDiagGaussian<double>(in[0], space).entropy() * t.constant(weights); },
      {p_inputs});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicDiagGaussian<double>(in[0], space).kl(BasicDiagGaussian<double>(in[1], space)) * t.constant(weights);
      },
      {p_inputs, q_inputs});
  const MatrixD action_weights = rlpp::ad::test::seeded_matrix(4, 3, 45);
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        RandomStream rng(7);  // the same eps at every evaluation
        const auto s = BasicDiagGaussian<double>(in[0], space).rsample(rng);
        return rlpp::ad::add(rlpp::ad::row_sum(s.actions * t.constant(action_weights)), s.logp * t.constant(weights));
      },
      {p_inputs});
}

TEST_CASE("DiagGaussian samples have the given means and standard deviations") {
  // N(0.5, 0.3^2) and N(-2, 1.5^2); the standard error of the mean is sigma / sqrt(N), of the
  // variance sigma^2 sqrt(2 / (N - 1)).
  rlpp::ad::Tape tape;
  const int n = 20000;
  rlpp::ad::Matrix inputs(n, 4);
  for (int r = 0; r < n; ++r) inputs.row(r) << 0.5f, -2.0f, std::log(0.3f), std::log(1.5f);
  DiagGaussian dist(tape.constant(inputs), Space(Box(-1.0, 1.0, {2})));
  RandomStream rng(77);
  rlpp::nn::Matrix actions;
  dist.sample(rng, actions);
  const double means[] = {0.5, -2.0}, stds[] = {0.3, 1.5};
  for (int j = 0; j < 2; ++j) {
    CAPTURE(j);
    std::vector<double> xs(n);
    for (int r = 0; r < n; ++r) xs[static_cast<std::size_t>(r)] = actions(r, j);
    const Moments m = moments(xs);
    const double var = stds[j] * stds[j];
    CHECK(std::abs(m.mean - means[j]) < 4.0 * stds[j] / std::sqrt(n));
    CHECK(std::abs(m.variance - var) < 4.0 * var * std::sqrt(2.0 / (n - 1)));
  }
  // Not clipped to the Box: a N(-2, 1.5^2) draw is mostly below low = -1.
  CHECK((actions.col(1).array() < -1.0f).count() > n / 2);
  rlpp::nn::Matrix best;
  dist.deterministic_sample(best);
  CHECK(best(0, 0) == 0.5f);
  CHECK(best(0, 1) == -2.0f);
}

TEST_CASE("DiagGaussian rsample logp equals logp of its actions, and sampled_action_logp that of sample()") {
  TapeD tape;
  const Space space = Box(-1.0, 1.0, {3});
  BasicDiagGaussian<double> dist(tape.constant(rlpp::ad::test::seeded_matrix(6, 6, 51)), space);
  RandomStream rng(3);
  const auto s = dist.rsample(rng);
  CHECK(mismatch_free(s.logp.value(), dist.logp(tape.constant(MatrixD(s.actions.value()))).value()));
  MatrixD actions;
  dist.sample(rng, actions);
  const MatrixD expected = dist.logp(tape.constant(actions)).value();
  CHECK(rlpp::ad::test::mismatch(dist.sampled_action_logp().value(), expected) == "");
}

TEST_CASE("DiagGaussian needs a float Box and 2 * dim inputs") {
  rlpp::ad::Tape tape;
  CHECK(error_message([&] { DiagGaussian(tape.constant(rlpp::ad::Matrix::Zero(1, 2)), Space(rlpp::Discrete(2))); })
            .find("needs a float32 Box") != std::string::npos);
  CHECK(error_message([&] { DiagGaussian(tape.constant(rlpp::ad::Matrix::Zero(1, 3)), Space(Box(-1.0, 1.0, {2}))); })
            .find("need 4 columns") != std::string::npos);
}
