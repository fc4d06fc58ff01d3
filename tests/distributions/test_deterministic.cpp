// Deterministic: the inputs are the actions; logp and entropy are zeros attached to the inputs;
// rsample passes the inputs through differentiably; kl is an error.

#include <doctest/doctest.h>

#include "distribution_support.hpp"
#include "rlpp/distributions/deterministic.hpp"

using namespace rlpp::dist_test;
using rlpp::BasicDeterministic;
using rlpp::Box;
using rlpp::Deterministic;
using rlpp::RandomStream;
using rlpp::Space;
using rlpp::ad::test::error_message;

TEST_CASE("Deterministic samples are its inputs, with logp and entropy zero") {
  rlpp::ad::Tape tape;
  const Space space = Box(-1.0, 1.0, {2});
  CHECK(Deterministic::required_model_output_shape(space) == 2);
  const rlpp::ad::Matrix inputs{{0.25f, -3.0f}, {1.0f, 0.5f}};  // not clipped: that is clip_actions' job
  Deterministic dist(tape.constant(inputs), space);
  RandomStream rng(1);
  rlpp::nn::Matrix sampled, best;
  dist.sample(rng, sampled);
  dist.deterministic_sample(best);
  CHECK(sampled == inputs);
  CHECK(best == inputs);
  CHECK(dist.sampled_action_logp().value().isZero());
  CHECK(dist.logp(tape.constant(inputs)).value().isZero());
  CHECK(dist.entropy().value().isZero());
  CHECK(dist.entropy().rows() == 2);
  CHECK(dist.entropy().cols() == 1);
  CHECK(error_message([&] { (void)dist.kl(dist); }).find("not defined") != std::string::npos);
}

TEST_CASE("Deterministic rsample passes gradients to the inputs; logp and entropy pass zero") {
  const Space space = Box(-1.0, 1.0, {3});
  TapeD tape;
  const VarD inputs = tape.variable(rlpp::ad::test::seeded_matrix(2, 3, 5));
  BasicDeterministic<double> dist(inputs, space);
  RandomStream rng(2);
  const auto s = dist.rsample(rng);
  const MatrixD weights = rlpp::ad::test::seeded_matrix(2, 3, 6);
  tape.backward(rlpp::ad::add(rlpp::ad::sum(s.actions * tape.constant(weights)),
                              rlpp::ad::sum(rlpp::ad::add(s.logp, dist.entropy()))));
  CHECK(rlpp::ad::test::mismatch(inputs.grad(), weights) == "");
  CHECK(s.logp.value().isZero());
}
