// The catalog (RLlib's ModelCatalog.get_action_dist): the default distribution and model output
// size for each action space, its errors, and AnyActionDistribution forwarding to what it holds.

#include <doctest/doctest.h>

#include <string>

#include "distribution_support.hpp"
#include "rlpp/distributions/catalog.hpp"

using namespace rlpp::dist_test;
using rlpp::AnyActionDistribution;
using rlpp::Box;
using rlpp::Config;
using rlpp::Discrete;
using rlpp::DistributionKind;
using rlpp::DType;
using rlpp::MultiDiscrete;
using rlpp::RandomStream;
using rlpp::Space;
using rlpp::ad::test::error_message;

static_assert(rlpp::action_distribution<AnyActionDistribution>);
static_assert(!rlpp::reparameterized_distribution<rlpp::Categorical>);

namespace {
const Config model_config(rlpp::Json::object(), "config.model");

struct Expected {
  Space space;
  DistributionKind kind;
  std::size_t outputs;
};
}  // namespace

TEST_CASE("the catalog picks RLlib's default distribution and model output size for each action space") {
  const Expected cases[] = {
      {Discrete(4), DistributionKind::categorical, 4},
      {Discrete(3, 7), DistributionKind::categorical, 3},
      {MultiDiscrete({2, 5, 3}), DistributionKind::multi_categorical, 10},
      {rlpp::MultiBinary(3), DistributionKind::multi_categorical, 6},
      {Box({-1.0, 0.0}, {1.0, 3.0}, {2}, DType::int64), DistributionKind::multi_categorical, 3 + 4},
      {Box(-1.0, 1.0, {3}), DistributionKind::diag_gaussian, 6},
      {Box(-1.0, 1.0, {}), DistributionKind::diag_gaussian, 2},  // a scalar Box: one dimension
  };
  for (const Expected& e : cases) {
    CAPTURE(e.space.to_string());
    CHECK(rlpp::default_distribution_kind(e.space, model_config) == e.kind);
    CHECK(AnyActionDistribution::required_model_output_shape(e.space, model_config) == e.outputs);
    CHECK(rlpp::required_model_output_shape(e.kind, e.space, model_config) == e.outputs);
  }
  const Space bounded = Box(-2.0, 2.0, {3});
  CHECK(rlpp::required_model_output_shape(DistributionKind::squashed_gaussian, bounded, model_config) == 6);
  CHECK(rlpp::required_model_output_shape(DistributionKind::beta, bounded, model_config) == 6);
  CHECK(rlpp::required_model_output_shape(DistributionKind::deterministic, bounded, model_config) == 3);
}

TEST_CASE("the catalog rejects multi-dimensional float Boxes, Tuples, Dicts and custom_action_dist, saying why") {
  const std::string image = error_message([] { rlpp::default_distribution_kind(Space(Box(0.0, 1.0, {2, 3})), model_config); });
  CHECK(image.find("Box(0.0, 1.0, (2, 3), float32)") != std::string::npos);
  CHECK(image.find("multiple dimensions") != std::string::npos);
  const Space tuple = rlpp::Tuple({Space(Discrete(2)), Space(Box(-1.0, 1.0, {1}))});
  const std::string nested = error_message([&] { rlpp::default_distribution_kind(tuple, model_config); });
  CHECK(nested.find("Tuple action spaces are not supported yet") != std::string::npos);
  CHECK(nested.find(tuple.to_string()) != std::string::npos);
  const Space dict = rlpp::Dict({{"move", Space(Discrete(2))}});
  CHECK(error_message([&] { rlpp::default_distribution_kind(dict, model_config); }).find("Dict action spaces") != std::string::npos);
  const Config custom(rlpp::Json{{"custom_action_dist", "my_dist"}}, "config.model");
  const std::string named = error_message([&] { rlpp::default_distribution_kind(Space(Discrete(2)), custom); });
  CHECK(named.find("config.model.custom_action_dist") != std::string::npos);
  CHECK(named.find("action_dist<") != std::string::npos);
  const Config null_custom(rlpp::Json{{"custom_action_dist", nullptr}}, "config.model");
  CHECK(rlpp::default_distribution_kind(Space(Discrete(2)), null_custom) == DistributionKind::categorical);
}

TEST_CASE("distribution kinds parse from their names, with a suggestion for a typo") {
  CHECK(rlpp::parse_distribution_kind("SquashedGaussian") == DistributionKind::squashed_gaussian);
  CHECK(rlpp::parse_distribution_kind("deterministic") == DistributionKind::deterministic);  // RLlib's dist_type
  for (DistributionKind kind : {DistributionKind::categorical, DistributionKind::multi_categorical,
                                DistributionKind::diag_gaussian, DistributionKind::beta})
    CHECK(rlpp::parse_distribution_kind(rlpp::to_string(kind)) == kind);
  CHECK(error_message([] { rlpp::parse_distribution_kind("DiagGausian", "config.dist_type"); })
            .find("did you mean 'DiagGaussian'?") != std::string::npos);
}

TEST_CASE("AnyActionDistribution holds the catalog's default and forwards every call to it") {
  rlpp::ad::Tape tape;
  const Space space = Discrete(3, 1);
  const rlpp::ad::Var logits = tape.constant(rlpp::ad::Matrix{{0.0f, 1.0f, 2.0f}, {1.0f, 0.0f, -1.0f}});
  AnyActionDistribution any(logits, space);
  rlpp::Categorical concrete(logits, space);
  CHECK(any.kind() == DistributionKind::categorical);
  REQUIRE(any.get_if<rlpp::Categorical>() != nullptr);
  const rlpp::ad::Var actions = tape.constant(rlpp::ad::Matrix{{3.0f}, {1.0f}});
  CHECK(any.logp(actions).value() == concrete.logp(actions).value());
  CHECK(any.entropy().value() == concrete.entropy().value());
  CHECK(any.kl(any).value() == concrete.kl(concrete).value());
  CHECK(any.inputs().index() == logits.index());
  rlpp::nn::Matrix a, b;
  RandomStream rng1(5), rng2(5);
  any.sample(rng1, a);
  concrete.sample(rng2, b);
  CHECK(a == b);
  CHECK(any.sampled_action_logp().value() == concrete.sampled_action_logp().value());
  any.deterministic_sample(a);
  CHECK(a(0, 0) == 3.0f);
  CHECK(error_message([&] { (void)any.rsample(rng1); }).find("Categorical has no reparameterized sample") != std::string::npos);
}

TEST_CASE("AnyActionDistribution takes an explicit kind, rsamples when the kind can, and refuses kl across kinds") {
  rlpp::ad::Tape tape;
  const Space space = Box(-1.0, 1.0, {2});
  const rlpp::ad::Var inputs = tape.constant(rlpp::ad::Matrix{{0.1f, -0.2f, -1.0f, 0.0f}});
  AnyActionDistribution gaussian(inputs, space);
  AnyActionDistribution squashed(inputs, space, DistributionKind::squashed_gaussian);
  CHECK(gaussian.kind() == DistributionKind::diag_gaussian);
  CHECK(squashed.kind() == DistributionKind::squashed_gaussian);
  RandomStream rng(3);
  const auto s = squashed.rsample(rng);
  CHECK(s.actions.cols() == 2);
  CHECK(s.logp.cols() == 1);
  CHECK(error_message([&] { (void)gaussian.kl(squashed); }).find("KL between a DiagGaussian and a SquashedGaussian") !=
        std::string::npos);
  AnyActionDistribution wrapped(rlpp::Beta(inputs, space));
  CHECK(wrapped.kind() == DistributionKind::beta);
  CHECK(error_message([&] { AnyActionDistribution(inputs, Space(Box(-1.0, 1.0, {2, 1}))); }).find("multiple dimensions") !=
        std::string::npos);
}
