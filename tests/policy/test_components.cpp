#include <doctest/doctest.h>

#include <cmath>

#include "policy/policy_support.hpp"

using namespace rlpp;
using rlpp::test::PGLoss;

namespace {
// A mixin with state of its own (as RLlib's KLCoeffMixin): it reads its coefficient from the
// config, the loss reads and the stats report it, and it travels in get_state.
struct CoeffMixin {
  static constexpr std::string_view mixin_name = "coeff";
  explicit CoeffMixin(const Config& config) : coeff(config.get<double>("my_coeff")) {}
  double coeff;
  Json get_mixin_state() const { return Json{{"coeff", coeff}}; }
  void set_mixin_state(const Json& j) { coeff = j.at("coeff").get<double>(); }
};

struct ScaledLoss {
  static Json defaults() { return Json{{"my_coeff", 0.5}}; }
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    return -ad::mean(dist.logp(c[cols::actions]) * c[cols::advantages]) * static_cast<float>(c.policy().coeff);
  }
};

struct CoeffStats {
  template <class P>
  void operator()(const P& policy, Json& stats) const {
    stats["coeff"] = policy.coeff;
  }
};

using MixinPolicy = build_policy<"MixinPolicy", loss<ScaledLoss>, mixins<CoeffMixin>, stats<CoeffStats>>;
using GAEPolicy = build_policy<"GAEPolicy", loss<PGLoss>, postprocess<generalized_advantages>>;

SampleBatch trajectory(bool terminated, bool truncated) {
  SampleBatch b;
  b.set(cols::obs, xt::xarray<float>(xt::zeros<float>({std::size_t{3}, std::size_t{4}})));
  b.set(cols::new_obs, xt::xarray<float>(xt::ones<float>({std::size_t{3}, std::size_t{4}})));
  b.set(cols::rewards, xt::xarray<float>{1.0f, 2.0f, 3.0f});
  b.set(cols::vf_preds, xt::xarray<float>{0.5f, 0.25f, 0.125f});
  b.set(cols::terminateds, xt::xarray<bool>{false, false, terminated});
  b.set(cols::truncateds, xt::xarray<bool>{false, false, truncated});
  b.set(cols::dones, xt::xarray<bool>{false, false, terminated || truncated});
  b.set(cols::eps_id, xt::xarray<std::int64_t>{5, 5, 5});
  b.set(cols::actions.name, Column(xt::xarray<std::int64_t>{0, 1, 0}));
  return b;
}
}  // namespace

TEST_CASE("a mixin's config, state and stats flow through the policy") {
  MixinPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(),
                     test::small_model_config({{"my_coeff", 2.0}}));
  CHECK(policy.coeff == 2.0);
  const Json info = policy.learn_on_batch(test::pg_batch(8));
  CHECK(info.at("learner_stats").at("coeff").get<double>() == 2.0);
  policy.coeff = 3.0;
  const Json state = policy.get_state();
  CHECK(state.at("mixins").at("coeff").at("coeff").get<double>() == 3.0);
  MixinPolicy other(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  CHECK(other.coeff == 0.5);  // the loss's default
  other.set_state(state);
  CHECK(other.coeff == 3.0);
}

TEST_CASE("discounted_returns postprocessing: advantages are the discounted returns of the fragment") {
  test::PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(),
                        test::small_model_config({{"gamma", 0.5}}));
  SampleBatch b = trajectory(true, false);
  policy.postprocess_trajectory(b);
  // returns: r2 = 3; r1 = 2 + 0.5*3 = 3.5; r0 = 1 + 0.5*3.5 = 2.75
  const auto& adv = b[cols::advantages];
  CHECK(adv(0) == doctest::Approx(2.75f));
  CHECK(adv(1) == doctest::Approx(3.5f));
  CHECK(adv(2) == doctest::Approx(3.0f));
}

TEST_CASE("GAE through the policy bootstraps from V(final obs) on truncation, not on termination") {
  GAEPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(),
                   test::small_model_config({{"gamma", 0.5}, {"lambda", 1.0}}));
  const std::vector<float> final_obs(4, 1.0f);
  const float v_final = policy.value(final_obs);
  SampleBatch terminated = trajectory(true, false);
  SampleBatch truncated = trajectory(false, true);
  policy.postprocess_trajectory(terminated);
  policy.postprocess_trajectory(truncated);
  // lambda = 1: advantages = discounted returns (+ gamma^k * last_r) - vf_preds
  const float r2 = 3.0f, r1 = 2.0f + 0.5f * 3.0f, r0 = 1.0f + 0.5f * r1;
  CHECK(terminated[cols::advantages](0) == doctest::Approx(r0 - 0.5f));
  CHECK(terminated[cols::advantages](2) == doctest::Approx(r2 - 0.125f));
  CHECK(truncated[cols::advantages](2) == doctest::Approx(r2 + 0.5f * v_final - 0.125f));
  CHECK(truncated[cols::advantages](0) == doctest::Approx(r0 + 0.125f * v_final - 0.5f));
  CHECK(truncated[cols::value_targets](0) == doctest::Approx(r0 + 0.125f * v_final));
  CHECK(v_final != 0.0f);
}

TEST_CASE("a batch of several episodes is postprocessed episode by episode") {
  test::PGPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(),
                        test::small_model_config({{"gamma", 0.5}}));
  SampleBatch first = trajectory(true, false);
  SampleBatch second = trajectory(true, false);
  second[cols::eps_id] = xt::xarray<std::int64_t>{6, 6, 6};
  SampleBatch both = concat_samples({first, second});
  policy.postprocess_trajectory(both);
  REQUIRE(both.count() == 6);
  // the second episode's returns do not leak into the first's last step
  CHECK(both[cols::advantages](2) == doctest::Approx(3.0f));
  CHECK(both[cols::advantages](3) == doctest::Approx(2.75f));
}

TEST_CASE("GAE policies report value predictions from compute_actions") {
  GAEPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), test::small_model_config());
  const SampleBatch batch = test::pg_batch(5);
  const auto& out = policy.compute_actions(batch.matrix(cols::obs));
  REQUIRE(out.vf_preds.rows() == 5);
  std::vector<float> row(4);
  for (int d = 0; d < 4; ++d) row[static_cast<std::size_t>(d)] = batch.matrix(cols::obs)(2, d);
  CHECK(out.vf_preds(2, 0) == doctest::Approx(policy.value(row)));
}
