// After a warm-up step, building a distribution on a reset tape, sampling into the same action
// buffer, and recording logp / entropy / kl allocate nothing (the sampling and learning loops of
// DESIGN.md's "no heap allocation after warm-up").

#include <doctest/doctest.h>

#include "distribution_support.hpp"
#include "rlpp/distributions/catalog.hpp"
#include "support/allocation_counter.hpp"

using rlpp::Box;
using rlpp::DistributionKind;
using rlpp::RandomStream;
using rlpp::Space;

namespace {
// One policy step: forward (a constant standing in for the model's outputs), sample, and the
// loss terms; the second and later calls must not allocate.
template <class D>
void check_warm_step_allocates_nothing(const Space& space, Eigen::Index inputs_per_row, bool has_entropy_and_kl) {
  rlpp::ad::Tape tape;
  rlpp::ad::Matrix model_outputs(32, inputs_per_row);
  for (Eigen::Index i = 0; i < model_outputs.size(); ++i) model_outputs.data()[i] = static_cast<float>((i % 7) - 3) * 0.3f;
  rlpp::nn::Matrix actions, greedy;
  RandomStream rng(1);
  const auto step = [&] {
    tape.reset();
    const rlpp::ad::Var inputs = tape.constant(model_outputs);
    D dist(inputs, space);
    dist.sample(rng, actions);
    dist.deterministic_sample(greedy);
    rlpp::ad::Var loss = dist.sampled_action_logp();
    loss = rlpp::ad::add(loss, dist.logp(tape.input(actions.data(), actions.rows(), actions.cols())));
    if (has_entropy_and_kl) loss = rlpp::ad::add(loss, rlpp::ad::add(dist.entropy(), dist.kl(D(inputs, space))));
    (void)rlpp::ad::mean(loss);
  };
  step();
  step();
  CHECK(rlpp::test::count_allocations(step) == 0);
}
}  // namespace

TEST_CASE("a warm sample, deterministic_sample, logp, entropy and kl allocate nothing") {
  SUBCASE("Categorical") { check_warm_step_allocates_nothing<rlpp::Categorical>(Space(rlpp::Discrete(5, 2)), 5, true); }
  SUBCASE("MultiCategorical over an int Box") {
    check_warm_step_allocates_nothing<rlpp::MultiCategorical>(Space(Box(-1.0, 2.0, {3}, rlpp::DType::int64)), 12, true);
  }
  SUBCASE("DiagGaussian") { check_warm_step_allocates_nothing<rlpp::DiagGaussian>(Space(Box(-1.0, 1.0, {3})), 6, true); }
  SUBCASE("SquashedGaussian") {
    check_warm_step_allocates_nothing<rlpp::SquashedGaussian>(Space(Box(-1.0, 1.0, {3})), 6, false);
  }
  SUBCASE("Beta") { check_warm_step_allocates_nothing<rlpp::Beta>(Space(Box(0.0, 2.0, {3})), 6, true); }
  SUBCASE("Deterministic") {
    check_warm_step_allocates_nothing<rlpp::Deterministic>(Space(Box(-1.0, 1.0, {3})), 3, false);
  }
  SUBCASE("AnyActionDistribution") {
    check_warm_step_allocates_nothing<rlpp::AnyActionDistribution>(Space(rlpp::MultiDiscrete({2, 3})), 5, true);
  }
}

TEST_CASE("a warm rsample allocates nothing") {
  rlpp::ad::Tape tape;
  const Space space = Box(-2.0, 2.0, {4});
  rlpp::ad::Matrix model_outputs = rlpp::ad::Matrix::Constant(16, 8, 0.25f);
  RandomStream rng(2);
  const auto step = [&] {
    tape.reset();
    const rlpp::ad::Var inputs = tape.constant(model_outputs);
    const auto s = rlpp::SquashedGaussian(inputs, space).rsample(rng);
    const auto g = rlpp::DiagGaussian(inputs, space).rsample(rng);
    (void)rlpp::ad::add(s.logp, g.logp);
  };
  step();
  step();
  CHECK(rlpp::test::count_allocations(step) == 0);
}
