// What off-policy losses get from the policy, through the public API only: parameter groups
// with their own optimizers and learning rates, skipped group updates, zero gradients for a
// group a loss leaves alone, frozen bindings, the target network (update_target(tau), state)
// and per-row TD errors mapped back through shuffled minibatches.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <xtensor/xarray.hpp>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/optimizers/sgd.hpp"
#include "rlpp/policy/policy.hpp"

using namespace rlpp;

namespace {

// Two heads over the observations: "actor" (2 logits, the model's outputs) and "critic" (1 value).
class TwoGroupModel {
 public:
  TwoGroupModel(const ModelContext& ctx, nn::Parameters& params) {
    RandomStream& rng = *ctx.rng;
    actor_.emplace(params, "actor", 4, 2, rng);
    actor_end_ = params.size();
    critic_begin_ = params.size();
    critic_.emplace(params, "critic", 4, 1, rng);
    critic_end_ = params.size();
  }
  ModelOutput<float> forward(const nn::ParameterBinding<float>& p, const ModelInput<float>& in) const {
    ModelOutput<float> out;
    out.outputs = actor_->forward(p, in.obs);
    out.value_input = in.obs;
    return out;
  }
  ad::Var value_function(const nn::ParameterBinding<float>& p, const ModelOutput<float>& out) const {
    return critic_->forward(p, out.value_input);
  }
  ad::Var critic(const nn::ParameterBinding<float>& p, ad::Var obs) const { return critic_->forward(p, obs); }
  std::size_t num_outputs() const { return 2; }
  std::vector<nn::Matrix> initial_state() const { return {}; }
  std::vector<nn::ParamGroup> parameter_groups() const {
    return {{"actor", 0, actor_end_}, {"critic", critic_begin_, critic_end_}};
  }

 private:
  std::optional<nn::Dense> actor_, critic_;
  std::size_t actor_end_ = 0, critic_begin_ = 0, critic_end_ = 0;
};

// actor term: mean(logits^2) through the actor; critic term: mean(critic(obs)^2); a third term
// reads the critic through the frozen binding (must not reach the critic's gradient). Config
// "terms": which of "actor"/"critic" to include; "skip_critic": skip its update; TD errors are
// each row's first observation value.
struct GroupedLoss {
  static constexpr bool uses_target_network = true;
  static Json defaults() { return Json{{"terms", "both"}, {"skip_critic", false}, {"tau", nullptr}}; }
  double learning_rate(const Config&, std::string_view group) const { return group == "actor" ? 0.1 : 0.01; }
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    const std::string terms = c.config().template get<std::string>("terms");
    ad::Var obs = c[cols::obs];
    ad::Var loss = ad::mean(ad::square(c.policy().model().critic(c.frozen_parameters(), obs)));
    if (terms != "critic") loss = loss + ad::mean(ad::square(c.model_out()));
    if (terms != "actor") loss = loss + ad::mean(ad::square(c.policy().model().critic(c.parameters(), obs)));
    if (c.config().template get<bool>("skip_critic")) c.skip_update("critic");
    c.set_td_errors(ad::columns(obs, 0, 1));
    return loss;
  }
};

using GroupedPolicy = build_policy<"GroupedPolicy", loss<GroupedLoss>, model<TwoGroupModel>, optimizer<nn::SGD>>;

SampleBatch batch_of(std::size_t n) {
  xt::xarray<float> obs = xt::zeros<float>({n, std::size_t{4}});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < 4; ++d) obs(i, d) = 0.1f * static_cast<float>(i + 1) - 0.05f * static_cast<float>(d);
  SampleBatch b;
  b.set(cols::obs, obs);
  return b;
}

GroupedPolicy make(Json extra = Json::object()) {
  Json c{{"seed", 4}};
  for (const auto& [k, v] : extra.items()) c[k] = v;
  return GroupedPolicy(Space(Box(-10.0, 10.0, {4})), Space(Discrete(2)), c);
}

std::vector<float> range(std::span<const float> v, const nn::ParamGroup& g) {
  return {v.begin() + static_cast<std::ptrdiff_t>(g.begin), v.begin() + static_cast<std::ptrdiff_t>(g.end)};
}

}  // namespace

TEST_CASE("parameter groups: one optimizer each, the loss's learning rate per group") {
  GroupedPolicy policy = make();
  const auto groups = policy.parameter_groups();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].name == "actor");
  CHECK(groups[1].name == "critic");
  const SampleBatch batch = batch_of(6);
  const std::vector<float> before = policy.get_weights();
  const auto [grads, info] = policy.compute_gradients(batch);  // no step
  CHECK(policy.get_weights() == before);
  (void)policy.learn_on_batch(batch);
  const std::vector<float> after = policy.get_weights();
  // Plain SGD: w -= lr_group * grad, lr 0.1 for the actor, 0.01 for the critic.
  for (const auto& g : groups) {
    const double lr = g.name == "actor" ? 0.1 : 0.01;
    for (std::size_t i = g.begin; i < g.end; ++i) CHECK(after[i] == doctest::Approx(before[i] - lr * grads[i]).epsilon(1e-5));
  }
  CHECK(policy.optimizer("actor").step_count() == 1);
  CHECK(policy.optimizer("critic").step_count() == 1);
  CHECK(policy.num_learn_steps() == 1);
  CHECK_THROWS_AS((void)policy.optimizer("nope"), Error);
}

TEST_CASE("a frozen binding passes no gradient; a group the loss leaves alone gets zero gradient") {
  GroupedPolicy policy = make({{"terms", "actor"}});  // the critic appears only through the frozen binding
  const auto groups = policy.parameter_groups();
  const auto [grads, info] = policy.compute_gradients(batch_of(5));
  for (float g : range(grads, groups[1])) CHECK(g == 0.0f);
  bool actor_moves = false;
  for (float g : range(grads, groups[0])) actor_moves |= g != 0.0f;
  CHECK(actor_moves);
}

TEST_CASE("skip_update leaves a group's weights and optimizer alone for that step") {
  GroupedPolicy policy = make({{"skip_critic", true}});
  const auto groups = policy.parameter_groups();
  const std::vector<float> before = policy.get_weights();
  (void)policy.learn_on_batch(batch_of(6));
  const std::vector<float> after = policy.get_weights();
  CHECK(range(after, groups[1]) == range(before, groups[1]));
  CHECK(range(after, groups[0]) != range(before, groups[0]));
  CHECK(policy.optimizer("critic").step_count() == 0);
}

TEST_CASE("the target network: a copy at construction, update_target(tau), saved with the state") {
  GroupedPolicy policy = make();
  const std::vector<float> initial = policy.get_weights();
  CHECK(policy.get_target_weights() == initial);
  (void)policy.learn_on_batch(batch_of(6));
  CHECK(policy.get_target_weights() == initial);  // learning leaves the target alone
  const std::vector<float> online = policy.get_weights();
  policy.update_target(0.25);
  const std::vector<float> soft = policy.get_target_weights();
  for (std::size_t i = 0; i < soft.size(); ++i)
    CHECK(soft[i] == doctest::Approx(0.25f * online[i] + 0.75f * initial[i]).epsilon(1e-6));
  // The state carries it; a restored policy continues with the same target.
  GroupedPolicy restored = make();
  restored.set_state(policy.get_state());
  CHECK(restored.get_target_weights() == soft);
  policy.update_target();  // no "tau" in the config: a hard copy
  CHECK(policy.get_target_weights() == online);
  GroupedPolicy with_tau = make({{"tau", 0.5}});
  const std::vector<float> w0 = with_tau.get_weights();
  (void)with_tau.learn_on_batch(batch_of(6));
  with_tau.update_target();
  const std::vector<float> w1 = with_tau.get_weights();
  for (std::size_t i = 0; i < w1.size(); ++i)
    CHECK(with_tau.get_target_weights()[i] == doctest::Approx(0.5f * w1[i] + 0.5f * w0[i]).epsilon(1e-6));
  static_assert(GroupedPolicy::uses_target_network);
}

TEST_CASE("TD errors: one per batch row, in batch order even from shuffled minibatches") {
  const SampleBatch batch = batch_of(8);
  const auto obs = batch.matrix(cols::obs.name);
  for (const Json& extra : {Json::object(), Json{{"sgd_minibatch_size", 2}, {"num_sgd_iter", 2}}}) {
    GroupedPolicy policy = make(extra);
    (void)policy.learn_on_batch(batch);
    const auto td = policy.td_errors();
    REQUIRE(td.size() == 8);
    for (Eigen::Index i = 0; i < 8; ++i) CHECK(td[static_cast<std::size_t>(i)] == obs(i, 0));
  }
}

TEST_CASE("optimizer states are saved per group") {
  GroupedPolicy policy = make();
  (void)policy.learn_on_batch(batch_of(6));
  const Json state = policy.get_state();
  REQUIRE(state["optimizer"].contains("groups"));
  CHECK(state["optimizer"]["groups"].contains("actor"));
  CHECK(state["optimizer"]["groups"].contains("critic"));
  GroupedPolicy restored = make();
  restored.set_state(state);
  CHECK(restored.optimizer("actor").step_count() == 1);
  Json broken = state;
  broken["optimizer"]["groups"].erase("critic");
  CHECK_THROWS_AS(restored.set_state(broken), CheckpointError);
}
