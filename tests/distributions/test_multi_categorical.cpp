// MultiCategorical: sums over components for MultiDiscrete, int64 Box (values low + index) and
// MultiBinary; gradients; per-component sampling frequencies; argmax; errors.

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distribution_support.hpp"
#include "rlpp/distributions/multi_categorical.hpp"

using namespace rlpp::dist_test;
using rlpp::BasicCategorical;
using rlpp::BasicMultiCategorical;
using rlpp::Box;
using rlpp::DType;
using rlpp::MultiCategorical;
using rlpp::MultiDiscrete;
using rlpp::RandomStream;
using rlpp::Space;
using rlpp::ad::test::error_message;

TEST_CASE("MultiCategorical logp, entropy and kl are the sums of the components' Categoricals") {
  // MultiDiscrete([2, 3]): logits (0, log 3 | 0, log 2, log 3): p = (1, 3)/4 and (1, 2, 3)/6.
  TapeD tape;
  const Space space = MultiDiscrete({2, 3});
  const MatrixD logits{{0.0, std::log(3.0), 0.0, std::log(2.0), std::log(3.0)}};
  BasicMultiCategorical<double> dist(tape.constant(logits), space);
  CHECK(dist.required_model_output_shape(space) == 5);
  CHECK(dist.logp(tape.constant(MatrixD{{1.0, 0.0}})).value()(0, 0) == doctest::Approx(std::log(3.0 / 4) + std::log(1.0 / 6)));
  const double h0 = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
  const double h1 = -(1.0 / 6 * std::log(1.0 / 6) + 2.0 / 6 * std::log(2.0 / 6) + 3.0 / 6 * std::log(3.0 / 6));
  CHECK(dist.entropy().value()(0, 0) == doctest::Approx(h0 + h1));
  // Against uniform components: KL = sum p log(p n).
  BasicMultiCategorical<double> uniform(tape.constant(MatrixD::Zero(1, 5)), space);
  const double kl0 = 0.25 * std::log(0.25 * 2) + 0.75 * std::log(0.75 * 2);
  const double kl1 = 1.0 / 6 * std::log(3.0 / 6) + 2.0 / 6 * std::log(6.0 / 6) + 3.0 / 6 * std::log(9.0 / 6);
  CHECK(dist.kl(uniform).value()(0, 0) == doctest::Approx(kl0 + kl1));
}

TEST_CASE("MultiCategorical over an int64 Box has high - low + 1 values per dimension, starting at low") {
  // Box int64 low (-1, 3), high (1, 4): components of 3 and 2 values, 5 logits.
  TapeD tape;
  const Space space = Box({-1.0, 3.0}, {1.0, 4.0}, {2}, DType::int64);
  CHECK(BasicMultiCategorical<double>::required_model_output_shape(space) == 5);
  const MatrixD logits{{0.0, 0.0, std::log(2.0), std::log(3.0), 0.0}};  // (1,1,2)/4 and (3,1)/4
  BasicMultiCategorical<double> dist(tape.constant(logits), space);
  CHECK(dist.logp(tape.constant(MatrixD{{1.0, 3.0}})).value()(0, 0) == doctest::Approx(std::log(0.5) + std::log(0.75)));
  MatrixD best;
  dist.deterministic_sample(best);
  CHECK(best(0, 0) == 1.0);
  CHECK(best(0, 1) == 3.0);
  CHECK(error_message([&] { dist.logp(tape.constant(MatrixD{{2.0, 3.0}})); }).find("component 0") != std::string::npos);
  CHECK(error_message([&] { dist.logp(tape.constant(MatrixD{{0.0, 5.0}})); }).find("component 1") != std::string::npos);
}

TEST_CASE("MultiCategorical over MultiBinary(n) is n two-way choices") {
  TapeD tape;
  const Space space = rlpp::MultiBinary(2);
  CHECK(BasicMultiCategorical<double>::required_model_output_shape(space) == 4);
  BasicMultiCategorical<double> dist(tape.constant(MatrixD{{0.0, std::log(3.0), std::log(3.0), 0.0}}), space);
  CHECK(dist.logp(tape.constant(MatrixD{{1.0, 1.0}})).value()(0, 0) == doctest::Approx(std::log(0.75) + std::log(0.25)));
}

TEST_CASE("MultiCategorical logp, entropy and kl pass gradcheck w.r.t. the logits") {
  const Space space = Box({0.0, -2.0, 5.0}, {2.0, -1.0, 8.0}, {3}, DType::int64);  // 3 + 2 + 4 logits
  const MatrixD p_logits = rlpp::ad::test::seeded_matrix(4, 9, 21);
  const MatrixD q_logits = rlpp::ad::test::seeded_matrix(4, 9, 22);
  const MatrixD weights = row_weights(4, 23);
  const MatrixD actions{{0, -2, 5}, {2, -1, 8}, {1, -1, 6}, {2, -2, 7}};
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicMultiCategorical<double>(in[0], space).logp(t.constant(actions)) * t.constant(weights);
      },
      {p_logits});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicMultiCategorical<double>(in[0], space).entropy() * t.constant(weights);
      },
      {p_logits});
  RLPP_CHECK_GRADIENTS(
      [&](TapeD& t, std::span<const VarD> in) {
        return BasicMultiCategorical<double>(in[0], space).kl(BasicMultiCategorical<double>(in[1], space)) *
               t.constant(weights);
      },
      {p_logits, q_logits});
}

TEST_CASE("MultiCategorical samples each component from its own softmax: chi-square below the 0.1% point") {
  // MultiDiscrete([2, 3]) with p = (1, 3)/4 and (1, 2, 3)/6.
  rlpp::ad::Tape tape;
  const Space space = MultiDiscrete({2, 3});
  const int n = 20000;
  rlpp::ad::Matrix logits(n, 5);
  for (int r = 0; r < n; ++r)
    logits.row(r) << 0.0f, std::log(3.0f), 0.0f, std::log(2.0f), std::log(3.0f);
  MultiCategorical dist(tape.constant(logits), space);
  RandomStream rng(31);
  rlpp::nn::Matrix actions;
  dist.sample(rng, actions);
  REQUIRE(actions.cols() == 2);
  std::vector<double> first(2, 0.0), second(3, 0.0);
  for (int r = 0; r < n; ++r) {
    first[static_cast<std::size_t>(actions(r, 0))] += 1;
    second[static_cast<std::size_t>(actions(r, 1))] += 1;
  }
  CHECK(chi_square(first, {0.25, 0.75}) < chi_square_critical_0001(1));
  CHECK(chi_square(second, {1.0 / 6, 2.0 / 6, 3.0 / 6}) < chi_square_critical_0001(2));
  const auto logp = dist.sampled_action_logp().value();
  CHECK(logp(0, 0) == doctest::Approx(std::log(actions(0, 0) == 0 ? 0.25 : 0.75) + std::log((actions(0, 1) + 1) / 6.0)).epsilon(1e-5));
}

TEST_CASE("MultiCategorical rejects spaces it cannot cover, naming them") {
  rlpp::ad::Tape tape;
  CHECK(error_message([&] { MultiCategorical(tape.constant(rlpp::ad::Matrix::Zero(1, 3)), Space(rlpp::Discrete(3))); })
            .find("Discrete(3)") != std::string::npos);
  CHECK(error_message([&] {
          MultiCategorical::required_model_output_shape(Space(Box(0.0, std::numeric_limits<double>::infinity(), {2}, DType::int64)));
        }).find("finite bounds") != std::string::npos);
  CHECK(error_message([&] { MultiCategorical(tape.constant(rlpp::ad::Matrix::Zero(1, 4)), Space(MultiDiscrete({2, 3}))); })
            .find("need 5 columns") != std::string::npos);
}
