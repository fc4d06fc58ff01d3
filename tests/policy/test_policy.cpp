#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "policy/policy_support.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;
using rlpp::test::PGLoss;
using rlpp::test::PGPolicy;

namespace {
struct OtherLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    return ad::mean(ad::square(c.model_out()));
  }
};

float probability_of_action_1(PGPolicy& policy, const SampleBatch& batch) {
  const auto& out = policy.compute_actions(batch.matrix(cols::obs), {}, false);
  // Categorical over two logits: p(1) = sigmoid(l1 - l0), averaged over the rows.
  double sum = 0.0;
  for (Eigen::Index r = 0; r < out.action_dist_inputs.rows(); ++r)
    sum += 1.0 / (1.0 + std::exp(out.action_dist_inputs(r, 0) - out.action_dist_inputs(r, 1)));
  return static_cast<float>(sum / static_cast<double>(out.action_dist_inputs.rows()));
}
}  // namespace

TEST_CASE("with<> replaces one component and keeps the others") {
  using Replaced = PGPolicy::with<loss<OtherLoss>>;
  static_assert(std::is_same_v<Replaced::loss_type, OtherLoss>);
  static_assert(std::is_same_v<Replaced::postprocess_type, discounted_returns>);
  static_assert(std::is_same_v<Replaced::model_type, PGPolicy::model_type>);
  static_assert(Replaced::name() == "PGPolicy");
  static_assert(std::is_same_v<PGPolicy::loss_type, PGLoss>);
  using Twice = Replaced::with<postprocess<generalized_advantages>, loss<PGLoss>>;
  static_assert(std::is_same_v<Twice::loss_type, PGLoss>);
  static_assert(std::is_same_v<Twice::postprocess_type, generalized_advantages>);
  static_assert(Twice::uses_value_predictions && !PGPolicy::uses_value_predictions);
}

TEST_CASE("omitted components default from the action space") {
  SUBCASE("Discrete(2): two logits, integer actions") {
    PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
    CHECK(policy.num_outputs() == 2);
    CHECK(policy.action_width() == 1);
    const auto& out = policy.compute_actions(test::pg_batch(6).matrix(cols::obs));
    REQUIRE(out.actions.rows() == 6);
    for (Eigen::Index r = 0; r < 6; ++r) {
      CHECK((out.actions(r, 0) == 0.0f || out.actions(r, 0) == 1.0f));
      CHECK(out.action_logp(r, 0) <= 0.0f);
      CHECK(out.action_prob(r, 0) == doctest::Approx(std::exp(out.action_logp(r, 0))));
    }
    CHECK(out.action_dist_inputs.cols() == 2);
    CHECK(out.vf_preds.size() == 0);  // PG does not use value predictions
  }
  SUBCASE("Box(3): means and log stds") {
    PGPolicy policy(test::cartpole_observation_space(), Space(Box(-2.0, 2.0, {3})), test::small_model_config());
    CHECK(policy.num_outputs() == 6);
    CHECK(policy.action_width() == 3);
    const auto& out = policy.compute_actions(test::pg_batch(4).matrix(cols::obs));
    CHECK(out.actions.rows() == 4);
    CHECK(out.actions.cols() == 3);
  }
}

TEST_CASE("explore=false gives the most likely action") {
  PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  const SampleBatch batch = test::pg_batch(8);
  const auto& out = policy.compute_actions(batch.matrix(cols::obs), {}, false);
  for (Eigen::Index r = 0; r < 8; ++r)
    CHECK(out.actions(r, 0) == (out.action_dist_inputs(r, 1) > out.action_dist_inputs(r, 0) ? 1.0f : 0.0f));
}

TEST_CASE("learn_on_batch follows the policy gradient: advantaged actions become likelier") {
  PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  const SampleBatch batch = test::pg_batch(32);
  const float before = probability_of_action_1(policy, batch);
  Json info;
  for (int i = 0; i < 20; ++i) info = policy.learn_on_batch(batch);
  const float after = probability_of_action_1(policy, batch);
  CHECK(after > before + 0.3f);
  const Json& stats = info.at("learner_stats");
  CHECK(stats.contains("policy_loss"));
  CHECK(stats.at("total_loss").get<double>() == doctest::Approx(stats.at("policy_loss").get<double>()));
  CHECK(stats.at("cur_lr").get<double>() == doctest::Approx(0.01));
  CHECK(stats.at("grad_gnorm").get<double>() > 0.0);
}

TEST_CASE("num_sgd_iter x minibatches optimizer steps, whole minibatches only") {
  PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(),
                  test::small_model_config({{"num_sgd_iter", 3}, {"sgd_minibatch_size", 4}}));
  policy.learn_on_batch(test::pg_batch(10));  // 2 whole minibatches of 4 per pass
  CHECK(policy.optimizer().step_count() == 3 * 2);
}

TEST_CASE("compute_gradients then apply_gradients equals one learn_on_batch step") {
  PGPolicy a(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  PGPolicy b(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  const SampleBatch batch = test::pg_batch(16);
  a.learn_on_batch(batch);
  auto [grads, info] = b.compute_gradients(batch);
  CHECK(info.at("learner_stats").contains("policy_loss"));
  b.apply_gradients(grads);
  CHECK(a.get_weights() == b.get_weights());
  CHECK_THROWS_WITH_AS(b.apply_gradients(std::vector<float>(3)), doctest::Contains("3 gradients"), Error);
}

TEST_CASE("shuffled minibatch SGD takes the rows of a batch shuffled pass after pass by the policy's sgd stream") {
  // 3 passes over 24 rows in minibatches of 8: the same as reshuffling one copy of the batch
  // before each pass and stepping on its consecutive slices (RLlib's do_minibatch_sgd).
  const SampleBatch batch = test::pg_batch(24, 1.0f, -0.5f);
  const Json config = test::small_model_config({{"num_sgd_iter", 3}, {"sgd_minibatch_size", 8}});
  PGPolicy a(test::cartpole_observation_space(), test::cartpole_action_space(), config);
  PGPolicy b(test::cartpole_observation_space(), test::cartpole_action_space(), config);
  a.learn_on_batch(batch);
  RandomStream sgd(7, 0, 0, "policy/" + b.policy_id() + "/sgd");
  SampleBatch shuffled = batch;
  for (int pass = 0; pass < 3; ++pass) {
    shuffled.shuffle(sgd);
    for (std::size_t begin = 0; begin < 24; begin += 8) b.apply_gradients(b.compute_gradients(shuffled.slice(begin, begin + 8)).first);
  }
  const auto wa = a.get_weights(), wb = b.get_weights();
  REQUIRE(wa.size() == wb.size());
  float worst = 0.0f;
  for (std::size_t i = 0; i < wa.size(); ++i) worst = std::max(worst, std::abs(wa[i] - wb[i]));
  CHECK(worst <= 1e-6f);
  CHECK(wa != PGPolicy(test::cartpole_observation_space(), test::cartpole_action_space(), config).get_weights());
}

TEST_CASE("the same seed gives the same weights and actions; another seed does not") {
  PGPolicy a(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  PGPolicy b(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  PGPolicy c(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config({{"seed", 8}}));
  CHECK(a.get_weights() == b.get_weights());
  CHECK(a.get_weights() != c.get_weights());
  const SampleBatch batch = test::pg_batch(64);
  const nn::Matrix actions_a = a.compute_actions(batch.matrix(cols::obs)).actions;
  const nn::Matrix actions_b = b.compute_actions(batch.matrix(cols::obs)).actions;
  CHECK(actions_a == actions_b);
}

TEST_CASE("get_state/set_state restores everything: training continues bit-identically") {
  const SampleBatch batch = test::pg_batch(16);
  const Json config = test::small_model_config({{"num_sgd_iter", 2}, {"sgd_minibatch_size", 8}});
  PGPolicy a(test::cartpole_observation_space(), test::cartpole_action_space(), config);
  a.learn_on_batch(batch);
  a.compute_actions(batch.matrix(cols::obs));
  a.on_global_var_update(1234);
  const Json saved = a.get_state();

  PGPolicy b(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config({{"seed", 99}}));
  // another seed's policy, restored, continues exactly as the original
  PGPolicy b2(test::cartpole_observation_space(), test::cartpole_action_space(), config);
  b2.set_state(saved);
  CHECK(b2.global_timestep() == 1234);
  a.learn_on_batch(batch);
  b2.learn_on_batch(batch);
  CHECK(a.get_weights() == b2.get_weights());
  CHECK(a.compute_actions(batch.matrix(cols::obs)).actions == b2.compute_actions(batch.matrix(cols::obs)).actions);
  CHECK(a.optimizer().step_count() == b2.optimizer().step_count());

  SUBCASE("a state of another policy type is refused") {
    using Other = build_policy<"Other", loss<PGLoss>>;
    Other other(test::cartpole_observation_space(), test::cartpole_action_space(), config);
    CHECK_THROWS_WITH_AS(other.set_state(saved), doctest::Contains("PGPolicy"), CheckpointError);
  }
  SUBCASE("weights of the wrong size are refused") {
    CHECK_THROWS_WITH_AS(b.set_weights(std::vector<float>(5)), doctest::Contains("5 weights"), Error);
  }
}

TEST_CASE("config errors name the key") {
  CHECK_THROWS_WITH_AS(PGPolicy(test::cartpole_observation_space(), test::cartpole_action_space(), Json{{"lrr", 0.1}}),
                       doctest::Contains("did you mean 'lr'"), ConfigError);
  CHECK_THROWS_WITH_AS(PGPolicy(test::cartpole_observation_space(), test::cartpole_action_space(),
                                Json{{"optimizer", {{"beta3", 0.1}}}}),
                       doctest::Contains("config.optimizer.beta3"), ConfigError);
  // A trainer's config carries keys the policy does not read: lenient mode accepts them.
  CHECK_NOTHROW(PGPolicy(test::cartpole_observation_space(), test::cartpole_action_space(), Json{{"num_workers", 2}},
                         PolicyContext{}, ConfigCheck::lenient));
}

TEST_CASE("bad inputs get clear errors") {
  PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  nn::Matrix wrong(2, 3);
  wrong.setZero();
  CHECK_THROWS_WITH_AS(policy.compute_actions(wrong), doctest::Contains("3 columns"), SpaceError);
  nn::Matrix nan(1, 4);
  nan << 0.0f, std::nanf(""), 0.0f, 0.0f;
  CHECK_THROWS_WITH_AS(policy.compute_actions(nan), doctest::Contains("NaN"), Error);
  SampleBatch no_adv = test::pg_batch(4);
  no_adv.erase(cols::advantages.name);
  CHECK_THROWS_WITH_AS(policy.learn_on_batch(no_adv), doctest::Contains("advantages"), Error);
  const std::vector<float> obs(5, 0.0f);
  CHECK_THROWS_WITH_AS(policy.compute_single_action(obs), doctest::Contains("5 values"), SpaceError);
}

TEST_CASE("a non-finite loss is reported and the weights are left alone") {
  PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  const auto before = policy.get_weights();
  const SampleBatch batch = test::pg_batch(4, std::numeric_limits<float>::infinity(), 0.0f);
  CHECK_THROWS_WITH_AS(policy.learn_on_batch(batch), doctest::Contains("not finite"), Error);
  CHECK(policy.get_weights() == before);
}

TEST_CASE("compute_actions allocates nothing once warm") {
  PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  const SampleBatch batch = test::pg_batch(32);
  const auto obs = batch.matrix(cols::obs);
  policy.compute_actions(obs);
  policy.compute_actions(obs);
  CHECK(rlpp::test::count_allocations([&] { policy.compute_actions(obs); }) == 0);
  CHECK(rlpp::test::count_allocations([&] { policy.compute_actions(obs, {}, false); }) == 0);
}

TEST_CASE("the learning loop's allocations do not grow with the number of minibatches") {
  const SampleBatch batch = test::pg_batch(64);
  auto allocations = [&](int minibatch) {
    PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(),
                    test::small_model_config({{"sgd_minibatch_size", minibatch}}));
    policy.learn_on_batch(batch);
    policy.learn_on_batch(batch);
    return rlpp::test::count_allocations([&] { policy.learn_on_batch(batch); });
  };
  CHECK(allocations(8) == allocations(32));
}
