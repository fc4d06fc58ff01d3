// Categorical: closed-form logp/entropy/kl, gradients on a double tape, sampling frequencies
// (chi-square), argmax, Discrete start offsets, masked logits and the errors.

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "distribution_support.hpp"
#include "rlpp/distributions/categorical.hpp"

using namespace rlpp::dist_test;
using rlpp::BasicCategorical;
using rlpp::Categorical;
using rlpp::Discrete;
using rlpp::RandomStream;
using rlpp::Space;
using rlpp::ad::test::error_message;

TEST_CASE("Categorical logp, entropy and kl match the closed forms") {
  // logits (0, log 2, log 3): probabilities (1, 2, 3) / 6. Discrete(3, start=5): values 5, 6, 7.
  TapeD tape;
  const Space space = Discrete(3, 5);
  const MatrixD logits{{0.0, std::log(2.0), std::log(3.0)}, {0.0, 0.0, 0.0}};
  BasicCategorical<double> dist(tape.constant(logits), space);
  const MatrixD actions{{7.0}, {5.0}};
  const MatrixD logp = dist.logp(tape.constant(actions)).value();
  CHECK(logp(0, 0) == doctest::Approx(std::log(3.0 / 6.0)));
  CHECK(logp(1, 0) == doctest::Approx(std::log(1.0 / 3.0)));

  const MatrixD entropy = dist.entropy().value();
  CHECK(entropy(0, 0) == doctest::Approx(-(1.0 / 6 * std::log(1.0 / 6) + 2.0 / 6 * std::log(2.0 / 6) + 3.0 / 6 * std::log(3.0 / 6))));
  CHECK(entropy(1, 0) == doctest::Approx(std::log(3.0)));  // uniform

  // KL(p || uniform) = sum p log(p / (1/3)); KL(uniform || p) = sum 1/3 log((1/3) / p).
  BasicCategorical<double> other(tape.constant(MatrixD{{0.0, 0.0, 0.0}, {0.0, std::log(2.0), std::log(3.0)}}), space);
  const MatrixD kl = dist.kl(other).value();
  CHECK(kl(0, 0) == doctest::Approx(1.0 / 6 * std::log(3.0 / 6) + 2.0 / 6 * std::log(6.0 / 6) + 3.0 / 6 * std::log(9.0 / 6)));
  CHECK(kl(1, 0) == doctest::Approx((std::log(2.0) + std::log(1.0) + std::log(2.0 / 3.0)) / 3.0));
  CHECK(dist.kl(dist).value()(0, 0) == doctest::Approx(0.0));
  CHECK(dist.required_model_output_shape(space) == 3);
}

TEST_CASE("Categorical logp, entropy and kl pass gradcheck w.r.t. the logits") {
  const Space space = Discrete(4, -1);  // values -1, 0, 1, 2
  const MatrixD p_logits = rlpp::ad::test::seeded_matrix(5, 4, 1);
  const MatrixD q_logits = rlpp::ad::test::seeded_matrix(5, 4, 2);
  const MatrixD weights = row_weights(5, 3);
  const MatrixD actions{{-1}, {2}, {0}, {1}, {2}};
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicCategorical<double>(in[0], space).logp(t.constant(actions)) * t.constant(weights);
      },
      {p_logits});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) { return BasicCategorical<double>(in[0], space).entropy() * t.constant(weights); },
      {p_logits});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicCategorical<double>(in[0], space).kl(BasicCategorical<double>(in[1], space)) * t.constant(weights);
      },
      {p_logits, q_logits});
}

TEST_CASE("Categorical samples follow softmax(logits): chi-square below its 0.1% point") {
  // probabilities (1, 2, 3, 4) / 10 from logits log(1..4) + 7 (a shift changes nothing).
  rlpp::ad::Tape tape;
  const Space space = Discrete(4, 10);
  const int n = 20000;
  rlpp::ad::Matrix logits(n, 4);
  for (int r = 0; r < n; ++r)
    for (int j = 0; j < 4; ++j) logits(r, j) = static_cast<float>(std::log(j + 1.0) + 7.0);
  Categorical dist(tape.constant(logits), space);
  RandomStream rng(99);
  rlpp::nn::Matrix actions;
  dist.sample(rng, actions);
  REQUIRE(actions.rows() == n);
  REQUIRE(actions.cols() == 1);
  std::vector<double> counts(4, 0.0);
  for (int r = 0; r < n; ++r) {
    const float a = actions(r, 0);
    REQUIRE(a >= 10.0f);  // values, start + index
    REQUIRE(a <= 13.0f);
    counts[static_cast<std::size_t>(a - 10.0f)] += 1;
  }
  CHECK(chi_square(counts, {0.1, 0.2, 0.3, 0.4}) < chi_square_critical_0001(3));
  // sampled_action_logp is logp of the drawn values.
  const auto logp = dist.sampled_action_logp().value();
  for (int r = 0; r < 5; ++r) CHECK(logp(r, 0) == doctest::Approx(std::log((actions(r, 0) - 9.0) / 10.0)).epsilon(1e-5));
}

TEST_CASE("Categorical never samples a logit of -inf, and masked actions add nothing to entropy or kl") {
  const double inf = std::numeric_limits<double>::infinity();
  TapeD tape;
  const Space space = Discrete(3);
  const MatrixD logits{{0.0, -inf, 0.0}};
  BasicCategorical<double> dist(tape.variable(logits), space);
  CHECK(dist.entropy().value()(0, 0) == doctest::Approx(std::log(2.0)));
  BasicCategorical<double> other(tape.variable(MatrixD{{0.0, 0.0, 0.0}}), space);
  const VarD kl = dist.kl(other);
  CHECK(kl.value()(0, 0) == doctest::Approx(std::log(1.5)));  // 2 * 1/2 log((1/2) / (1/3))
  tape.backward(rlpp::ad::add(kl, dist.entropy()));
  CHECK(std::isfinite(dist.inputs().grad().sum()));
  RandomStream rng(5);
  rlpp::ad::MatrixD actions;
  for (int i = 0; i < 200; ++i) {
    dist.sample(rng, actions);
    REQUIRE(actions(0, 0) != 1.0);
  }
}

TEST_CASE("Categorical deterministic_sample is the argmax plus start, the first on ties") {
  rlpp::ad::Tape tape;
  Categorical dist(tape.constant(rlpp::ad::Matrix{{0.1f, 2.0f, -1.0f}, {3.0f, 3.0f, 0.0f}}), Space(Discrete(3, 2)));
  rlpp::nn::Matrix actions(7, 7);  // the wrong shape: resized
  dist.deterministic_sample(actions);
  CHECK(actions.rows() == 2);
  CHECK(actions(0, 0) == 3.0f);
  CHECK(actions(1, 0) == 2.0f);
}

TEST_CASE("Categorical rejects inputs, actions and spaces that do not fit, naming the space") {
  rlpp::ad::Tape tape;
  const Space space = Discrete(3, 1);
  CHECK(error_message([&] { Categorical(tape.constant(rlpp::ad::Matrix::Zero(2, 4)), space); })
            .find("Discrete(3, start=1)") != std::string::npos);
  CHECK(error_message([&] { Categorical(tape.constant(rlpp::ad::Matrix::Zero(2, 2)), Space(rlpp::Box(-1.0, 1.0, {2}))); })
            .find("needs a Discrete action space") != std::string::npos);
  Categorical dist(tape.constant(rlpp::ad::Matrix::Zero(2, 3)), space);
  const std::string out_of_range = error_message([&] { dist.logp(tape.constant(rlpp::ad::Matrix{{1.0f}, {0.0f}})); });
  CHECK(out_of_range.find("action 0") != std::string::npos);
  CHECK(out_of_range.find("row 1") != std::string::npos);
  CHECK(error_message([&] { dist.logp(tape.constant(rlpp::ad::Matrix{{1.5f}, {1.0f}})); }).find("row 0") != std::string::npos);
  CHECK(error_message([&] { dist.logp(tape.constant(rlpp::ad::Matrix::Ones(2, 2))); }).find("2x1") != std::string::npos);
  CHECK(error_message([&] { (void)dist.sampled_action_logp(); }).find("sample()") != std::string::npos);
}
