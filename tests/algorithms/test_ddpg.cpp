// DDPG's and TD3's parts checked against values recomputed outside the policy: the TD target
// with terminal masking, the twin minimum, target policy smoothing (noise clipped, actions
// clamped), Huber vs squared errors, the l2_reg terms, delayed actor updates, the separation of
// actor and critic gradients, per-group learning rates; RLlib's defaults and validation; policy
// state round trips; trainer determinism.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <rlpp/algorithms/ddpg/ddpg.hpp>
#include <rlpp/algorithms/ddpg/td3.hpp>
#include <rlpp/algorithms/ddpg/tuned_configs.hpp>

#include "support/allocation_counter.hpp"

namespace {

using rlpp::Json;
using rlpp::ddpg::Policy;

constexpr std::size_t kRows = 6;
constexpr double kGamma = 0.9;

Json policy_config(const Json& extra = Json::object()) {
  Json c{{"seed", 3},
         {"actor_hiddens", {6}},
         {"critic_hiddens", {5}},
         {"gamma", kGamma},
         {"l2_reg", 0.0},
         {"tau", 0.1},
         {"actor_lr", 0.01},
         {"critic_lr", 0.01},
         {"exploration_config", {{"type", "GaussianNoise"}, {"random_timesteps", 0}}}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

Policy make_policy(const Json& extra = Json::object()) {
  return Policy(rlpp::Space(rlpp::Box(-5.0, 5.0, {2})), rlpp::Space(rlpp::Box(-1.0, 1.0, {1})), policy_config(extra));
}

// Rows with rewards of both signs and sizes (some TD errors beyond the Huber threshold), every
// third row terminal, importance weights optional.
rlpp::SampleBatch make_batch(std::uint64_t seed, bool with_weights = false) {
  rlpp::RandomStream rng(seed);
  xt::xarray<float> obs = xt::zeros<float>({kRows, std::size_t{2}}), new_obs = obs;
  xt::xarray<float> actions = xt::zeros<float>({kRows, std::size_t{1}});
  xt::xarray<float> rewards = xt::zeros<float>({kRows}), weights = rewards;
  xt::xarray<bool> terminateds = xt::zeros<bool>({kRows});
  for (std::size_t i = 0; i < kRows; ++i) {
    for (std::size_t d = 0; d < 2; ++d) {
      obs(i, d) = static_cast<float>(rng.uniform(-2.0, 2.0));
      new_obs(i, d) = static_cast<float>(rng.uniform(-2.0, 2.0));
    }
    actions(i, 0) = static_cast<float>(rng.uniform(-1.0, 1.0));
    rewards(i) = static_cast<float>((i % 2 == 0 ? 3.0 : -0.2) * static_cast<double>(i + 1) / 3.0);
    weights(i) = static_cast<float>(0.5 + 0.25 * static_cast<double>(i));
    terminateds(i) = i % 3 == 0;
  }
  rlpp::SampleBatch batch;
  batch.set(rlpp::cols::obs, obs);
  batch.set(rlpp::cols::new_obs, new_obs);
  batch.set(rlpp::cols::actions.name, rlpp::Column(actions));
  batch.set(rlpp::cols::rewards, rewards);
  batch.set(rlpp::cols::terminateds, terminateds);
  if (with_weights) batch.set(rlpp::cols::weights, weights);
  return batch;
}

struct Options {
  bool use_huber = false;
  double huber_threshold = 1.0;
  double l2_reg = 0.0;
  // Target smoothing: the policy's learning stream, replayed here.
  std::optional<rlpp::RandomStream> noise;
  double target_noise = 0.0, target_noise_clip = 0.0;
  double discount = kGamma;  // of the bootstrap: gamma^n_step or the rows' n_step_discounts
};

struct Expected {
  std::vector<double> q1, td1, td2;
  double critic_loss = 0.0, actor_loss = 0.0, mean_q = 0.0;
};

double squared_weights(const rlpp::nn::Parameters& params, const std::vector<std::size_t>& blocks) {
  double sum = 0.0;
  for (std::size_t k : blocks) sum += params.value(k).cast<double>().squaredNorm();
  return sum;
}

// The loss of ddpg_loss.hpp's formulas, from the networks' outputs on a separate tape.
Expected expected_loss(const Policy& policy, const rlpp::SampleBatch& batch, Options o) {
  const auto& model = policy.model();
  rlpp::ad::Tape tape;
  const auto online = rlpp::nn::bind_frozen(tape, policy.parameters());
  const auto target = rlpp::nn::bind_frozen(tape, policy.target_parameters());
  const rlpp::ad::Var obs = tape.constant(rlpp::ad::Matrix(batch.matrix("obs")));
  const rlpp::ad::Var new_obs = tape.constant(rlpp::ad::Matrix(batch.matrix("new_obs")));
  const rlpp::ad::Var actions = tape.constant(rlpp::ad::Matrix(batch.matrix("actions")));
  rlpp::ad::Matrix a_tp1 = model.actor(target, new_obs).value();
  if (o.noise) {
    for (Eigen::Index i = 0; i < a_tp1.size(); ++i) {
      const double noise = std::clamp(o.target_noise * o.noise->normal(), -o.target_noise_clip, o.target_noise_clip);
      a_tp1.data()[i] = std::clamp(a_tp1.data()[i] + static_cast<float>(noise), -1.0f, 1.0f);
    }
  }
  const rlpp::ad::Matrix q_tp1 = model.min_q(target, new_obs, tape.constant(a_tp1)).value();
  const rlpp::ad::Matrix q1 = model.q1(online, obs, actions).value();
  const auto rewards = batch.values<float>("rewards");
  const auto done = batch.values<bool>("terminateds");
  const bool weighted = batch.contains("weights");
  const auto error = [&](double td) {
    if (!o.use_huber) return 0.5 * td * td;
    return std::abs(td) < o.huber_threshold ? 0.5 * td * td : o.huber_threshold * (std::abs(td) - 0.5 * o.huber_threshold);
  };
  Expected e;
  for (std::size_t r = 0; r < kRows; ++r) {
    const auto i = static_cast<Eigen::Index>(r);
    const double y = rewards[r] + (done[r] ? 0.0 : o.discount) * q_tp1(i, 0);
    double err = 0.0;
    e.q1.push_back(q1(i, 0));
    e.td1.push_back(q1(i, 0) - y);
    err += error(e.td1.back());
    if (model.twin_q()) {
      e.td2.push_back(model.q2(online, obs, actions).value()(i, 0) - y);
      err += error(e.td2.back());
    }
    const double w = weighted ? batch.values<float>("weights")[r] : 1.0;
    e.critic_loss += w * err / kRows;
    e.mean_q += q1(i, 0) / kRows;
  }
  e.actor_loss = -static_cast<double>(model.q1(online, obs, model.actor(online, obs)).value().cast<double>().mean());
  e.critic_loss += o.l2_reg * 0.5 * squared_weights(policy.parameters(), model.critic_weight_blocks());
  e.actor_loss += o.l2_reg * 0.5 * squared_weights(policy.parameters(), model.actor_weight_blocks());
  return e;
}

double stat(const Json& info, const char* key) { return info["learner_stats"][key].get<double>(); }

void check_td_errors(const Policy& policy, const std::vector<double>& expected) {
  const auto td = policy.td_errors();
  REQUIRE(td.size() == expected.size());
  for (std::size_t i = 0; i < td.size(); ++i) CHECK(td[i] == doctest::Approx(expected[i]).epsilon(1e-5));
}

// The policy's flat weights within one parameter group.
std::vector<float> group_values(const Policy& policy, const char* name) {
  for (const auto& g : policy.parameter_groups())
    if (g.name == name) {
      const auto v = policy.parameters().values().subspan(g.begin, g.size());
      return {v.begin(), v.end()};
    }
  FAIL("no group " << name);
  return {};
}

rlpp::RandomStream learning_stream(const Policy& policy) {
  const Json s = policy.get_state()["sgd_rng"];
  return rlpp::RandomStream::from_state({s[0].get<std::uint64_t>(), s[1].get<std::uint64_t>(), s[2].get<std::uint64_t>(),
                                         s[3].get<std::uint64_t>()});
}

}  // namespace

TEST_CASE("DDPG critic loss: target r + gamma (1 - terminated) Q_target(s', mu_target(s')), squared TD error") {
  auto policy = make_policy();
  // Distinct target and online networks, so that reading the wrong one shows.
  auto w = policy.get_weights();
  for (float& x : w) x *= 1.1f;
  policy.set_weights(w);
  const auto batch = make_batch(1);
  const Expected e = expected_loss(policy, batch, {});
  const Json info = policy.learn_on_batch(batch);
  check_td_errors(policy, e.td1);
  // Terminal rows (0 and 3): the target is the reward alone, td = Q1(s, a) - r.
  const auto rewards = batch.values<float>("rewards");
  for (std::size_t r = 0; r < kRows; r += 3)
    CHECK(policy.td_errors()[r] == doctest::Approx(e.q1[r] - rewards[r]).epsilon(1e-5));
  // The others bootstrap: td differs from Q1(s, a) - r.
  CHECK(std::abs(policy.td_errors()[1] - (e.q1[1] - rewards[1])) > 1e-3);
  CHECK(stat(info, "critic_loss") == doctest::Approx(e.critic_loss).epsilon(1e-5));
  CHECK(stat(info, "actor_loss") == doctest::Approx(e.actor_loss).epsilon(1e-5));
  CHECK(stat(info, "mean_q") == doctest::Approx(e.mean_q).epsilon(1e-5));
  CHECK(stat(info, "total_loss") == doctest::Approx(e.critic_loss + e.actor_loss).epsilon(1e-5));
  for (const char* key : {"actor_loss", "critic_loss", "mean_q", "max_q", "min_q", "cur_lr", "grad_gnorm", "total_loss"})
    CHECK_MESSAGE(info["learner_stats"].contains(key), key);
  CHECK(stat(info, "min_q") <= stat(info, "mean_q"));
  CHECK(stat(info, "max_q") >= stat(info, "mean_q"));
}

TEST_CASE("DDPG critic loss weighs each row by its importance weight") {
  auto policy = make_policy();
  const auto batch = make_batch(2, true);
  const Expected e = expected_loss(policy, batch, {});
  CHECK(stat(policy.learn_on_batch(batch), "critic_loss") == doctest::Approx(e.critic_loss).epsilon(1e-5));
}

TEST_CASE("DDPG target uses n_step_discounts when the batch has them") {
  auto policy = make_policy();
  auto batch = make_batch(3);
  // Discount gamma^2 for every row (two-step returns): Q_target's weight 0.81 instead of 0.9.
  xt::xarray<float> discounts = xt::zeros<float>({kRows});
  for (std::size_t i = 0; i < kRows; ++i) discounts(i) = static_cast<float>(kGamma * kGamma);
  batch.set(rlpp::cols::n_step_discounts, discounts);
  Options o;
  o.discount = kGamma * kGamma;
  const Expected e = expected_loss(policy, batch, o);
  const Expected one_step = expected_loss(policy, batch, {});
  policy.learn_on_batch(batch);
  check_td_errors(policy, e.td1);
  CHECK(e.td1[1] != doctest::Approx(one_step.td1[1]));
  CHECK(e.td1[0] == doctest::Approx(one_step.td1[0]));  // terminal: no bootstrap either way
}

TEST_CASE("TD3 critic loss: both critics regress on min(Q1_target, Q2_target)") {
  auto policy = make_policy({{"twin_q", true}});
  REQUIRE(policy.model().twin_q());
  auto w = policy.get_weights();
  for (float& x : w) x *= 0.9f;
  policy.set_weights(w);
  const auto batch = make_batch(4);
  const Expected e = expected_loss(policy, batch, {});
  REQUIRE(e.td2.size() == kRows);
  const Json info = policy.learn_on_batch(batch);
  check_td_errors(policy, e.td1);  // priorities from the first critic, as RLlib
  CHECK(stat(info, "critic_loss") == doctest::Approx(e.critic_loss).epsilon(1e-5));
}

TEST_CASE("TD3 target smoothing: noise N(0, target_noise) clipped to target_noise_clip, actions clamped to the Box") {
  // Target actions near the upper bound 1: noise clipped to +-0.3 then clamped to [-1, 1].
  auto policy = make_policy({{"twin_q", true}, {"smooth_target_policy", true}, {"target_noise", 5.0}, {"target_noise_clip", 0.3}});
  const auto batch = make_batch(5);
  Options o;
  o.noise = learning_stream(policy);
  o.target_noise = 5.0;
  o.target_noise_clip = 0.3;
  const Expected e = expected_loss(policy, batch, o);
  policy.learn_on_batch(batch);
  check_td_errors(policy, e.td1);
  // Without the smoothing the targets differ.
  const Expected plain = expected_loss(make_policy({{"twin_q", true}}), batch, {});
  double diff = 0.0;
  for (std::size_t r = 0; r < kRows; ++r) diff += std::abs(plain.td1[r] - e.td1[r]);
  CHECK(diff > 1e-4);

  SUBCASE("the clip and the clamp are what the replayed noise needs") {
    rlpp::RandomStream replay = learning_stream(make_policy({{"twin_q", true}}));
    int clipped = 0;
    for (std::size_t i = 0; i < kRows; ++i) clipped += std::abs(5.0 * replay.normal()) > 0.3;
    CHECK(clipped >= 4);  // most draws of N(0, 5) are beyond the clip
  }
}

TEST_CASE("use_huber: Huber error with huber_threshold instead of half the squared error") {
  auto squared = make_policy();
  auto huber = make_policy({{"use_huber", true}, {"huber_threshold", 0.5}});
  const auto batch = make_batch(6);
  Options o;
  o.use_huber = true;
  o.huber_threshold = 0.5;
  const Expected eh = expected_loss(huber, batch, o);
  const Expected es = expected_loss(squared, batch, {});
  int beyond = 0;
  for (double td : eh.td1) beyond += std::abs(td) >= 0.5;
  REQUIRE(beyond >= 2);  // both branches of the Huber function are taken
  REQUIRE(beyond < static_cast<int>(kRows));
  CHECK(stat(huber.learn_on_batch(batch), "critic_loss") == doctest::Approx(eh.critic_loss).epsilon(1e-5));
  CHECK(stat(squared.learn_on_batch(batch), "critic_loss") == doctest::Approx(es.critic_loss).epsilon(1e-5));
  CHECK(eh.critic_loss < es.critic_loss);
}

TEST_CASE("l2_reg adds l2_reg * sum(W^2) / 2 of the critics' weights to the critic loss, of the actor's to the actor loss") {
  auto policy = make_policy({{"l2_reg", 0.05}, {"twin_q", true}});
  const auto batch = make_batch(7);
  Options o;
  o.l2_reg = 0.05;
  const Expected e = expected_loss(policy, batch, o);
  const Expected without = expected_loss(policy, batch, {});
  CHECK(e.critic_loss - without.critic_loss > 1e-3);
  const Json info = policy.learn_on_batch(batch);
  CHECK(stat(info, "critic_loss") == doctest::Approx(e.critic_loss).epsilon(1e-5));
  CHECK(stat(info, "actor_loss") == doctest::Approx(e.actor_loss).epsilon(1e-5));
  // Biases are not penalized: the weight blocks are all named "...weight".
  for (std::size_t k : policy.model().critic_weight_blocks())
    CHECK(policy.parameters().blocks()[k].name.ends_with(".weight"));
}

TEST_CASE("policy_delay 2: the actor is stepped on optimizer steps 0, 2, 4, ...; the critic on every step") {
  auto policy = make_policy({{"twin_q", true}, {"policy_delay", 2}});
  const auto batch = make_batch(8);
  for (int step = 0; step < 4; ++step) {
    CAPTURE(step);
    REQUIRE(policy.num_learn_steps() == step);
    const auto actor_before = group_values(policy, "actor");
    const auto critic_before = group_values(policy, "critic");
    const Json info = policy.learn_on_batch(batch);
    CHECK((group_values(policy, "actor") != actor_before) == (step % 2 == 0));
    CHECK(group_values(policy, "critic") != critic_before);
    CHECK(info["learner_stats"].contains("actor_loss"));  // the last computed one on delayed steps
  }
  // The delayed steps leave the actor's Adam moments alone too.
  CHECK(policy.optimizer("actor").step_count() == 2);
  CHECK(policy.optimizer("critic").step_count() == 4);
}

TEST_CASE("the actor loss does not reach the critic, the critic loss does not reach the actor") {
  auto with_actor = make_policy({{"twin_q", true}, {"policy_delay", 2}});
  auto critic_only = make_policy({{"twin_q", true}, {"policy_delay", 2}});
  Json state = with_actor.get_state();
  state["learn_steps"] = 1;  // a delayed step: no actor term
  critic_only.set_state(state);
  const auto batch = make_batch(9);
  const auto [grads, info] = with_actor.compute_gradients(batch);
  const auto [critic_grads, info2] = critic_only.compute_gradients(batch);
  const auto groups = with_actor.parameter_groups();
  const auto& actor = groups[0];
  const auto& critic = groups[1];
  // Critic gradients: the same with and without the actor term.
  for (std::size_t i = critic.begin; i < critic.end; ++i) REQUIRE(grads[i] == critic_grads[i]);
  // Actor gradients: zero without the actor term; with it, those of -mean(Q1(s, mu(s))) alone.
  for (std::size_t i = actor.begin; i < actor.end; ++i) REQUIRE(critic_grads[i] == 0.0f);
  rlpp::nn::Parameters copy = with_actor.parameters();
  copy.zero_grad();
  rlpp::ad::Tape tape;
  const auto trainable = rlpp::nn::bind(tape, copy);
  const auto frozen = rlpp::nn::bind_frozen(tape, copy);
  const rlpp::ad::Var obs = tape.constant(rlpp::ad::Matrix(batch.matrix("obs")));
  const auto& model = with_actor.model();
  const rlpp::ad::Var actor_loss = -rlpp::ad::mean(model.q1(frozen, obs, model.actor(trainable, obs)));
  tape.backward(actor_loss);
  double norm = 0.0;
  for (std::size_t i = actor.begin; i < actor.end; ++i) {
    CHECK(grads[i] == doctest::Approx(copy.grads()[i]).epsilon(1e-5));
    norm += std::abs(grads[i]);
  }
  CHECK(norm > 1e-4);
  for (std::size_t i = critic.begin; i < critic.end; ++i) REQUIRE(copy.grads()[i] == 0.0f);
}

TEST_CASE("actor_lr and critic_lr are the two groups' learning rates") {
  const auto batch = make_batch(10);
  SUBCASE("actor_lr 0 leaves the actor unchanged") {
    auto policy = make_policy({{"actor_lr", 0.0}});
    const auto actor_before = group_values(policy, "actor");
    const auto critic_before = group_values(policy, "critic");
    policy.learn_on_batch(batch);
    CHECK(group_values(policy, "actor") == actor_before);
    CHECK(group_values(policy, "critic") != critic_before);
  }
  SUBCASE("critic_lr 0 leaves the critic unchanged") {
    auto policy = make_policy({{"critic_lr", 0.0}});
    const auto actor_before = group_values(policy, "actor");
    const auto critic_before = group_values(policy, "critic");
    policy.learn_on_batch(batch);
    CHECK(group_values(policy, "actor") != actor_before);
    CHECK(group_values(policy, "critic") == critic_before);
  }
  SUBCASE("Adam's first step moves each weight by about its group's lr") {
    auto policy = make_policy({{"actor_lr", 0.003}, {"critic_lr", 0.02}});
    const auto actor_before = group_values(policy, "actor");
    const auto critic_before = group_values(policy, "critic");
    policy.learn_on_batch(batch);
    const auto actor_after = group_values(policy, "actor");
    const auto critic_after = group_values(policy, "critic");
    float actor_max = 0.0f, critic_max = 0.0f;
    for (std::size_t i = 0; i < actor_after.size(); ++i) actor_max = std::max(actor_max, std::abs(actor_after[i] - actor_before[i]));
    for (std::size_t i = 0; i < critic_after.size(); ++i) critic_max = std::max(critic_max, std::abs(critic_after[i] - critic_before[i]));
    CHECK(actor_max == doctest::Approx(0.003).epsilon(1e-3));
    CHECK(critic_max == doctest::Approx(0.02).epsilon(1e-3));
  }
  CHECK(rlpp::ddpg::Loss().learning_rate(rlpp::Config(Json{{"actor_lr", 0.5}, {"critic_lr", 0.25}}), "critic") == 0.25);
  CHECK_THROWS_AS((void)rlpp::ddpg::Loss().learning_rate(rlpp::Config(Json{{"actor_lr", 0.5}}), "default"), rlpp::Error);
}

TEST_CASE("update_target moves the target networks by tau") {
  auto policy = make_policy({{"tau", 0.25}});
  const auto target_before = policy.get_target_weights();
  policy.learn_on_batch(make_batch(11));
  CHECK(policy.get_target_weights() == target_before);  // learning leaves the target alone
  const auto online = policy.get_weights();
  policy.update_target();
  const auto target = policy.get_target_weights();
  for (std::size_t i = 0; i < target.size(); ++i)
    CHECK(target[i] == doctest::Approx(0.25 * online[i] + 0.75 * target_before[i]).epsilon(1e-6));
}

TEST_CASE("a DDPG policy restored from its state continues bit-identically (TD3: smoothing noise, delayed actor)") {
  const Json config{{"twin_q", true}, {"policy_delay", 2}, {"smooth_target_policy", true}, {"l2_reg", 1e-3}};
  auto a = make_policy(config);
  a.learn_on_batch(make_batch(12));
  a.update_target();
  auto b = make_policy(config);
  b.set_state(a.get_state());
  for (std::uint64_t k = 0; k < 3; ++k) {
    const auto batch = make_batch(13 + k);
    const Json ia = a.learn_on_batch(batch);
    const Json ib = b.learn_on_batch(batch);
    CHECK(ia["learner_stats"]["critic_loss"] == ib["learner_stats"]["critic_loss"]);
    a.update_target();
    b.update_target();
  }
  CHECK(a.get_weights() == b.get_weights());
  CHECK(a.get_target_weights() == b.get_target_weights());
  CHECK(a.num_learn_steps() == b.num_learn_steps());
}

// The policy state keeps a random stream's pending normal() spare: a state taken after an odd
// number of normal draws continues exactly.
TEST_CASE("a DDPG policy's exploration continues bit-identically after a state round trip") {
  auto a = make_policy();
  auto b = make_policy();
  // GaussianNoise draws one normal per action element from the action stream.
  rlpp::nn::Matrix obs(1, 2);
  obs << 0.3f, -0.7f;
  for (int i = 0; i < 3; ++i) {
    const rlpp::nn::Matrix xa = a.compute_actions(obs).actions;
    const rlpp::nn::Matrix xb = b.compute_actions(obs).actions;
    CHECK(xa == xb);
    b.set_state(b.get_state());  // a round trip after an odd number of normal draws
  }
}

TEST_CASE("DDPG and TD3 defaults are RLlib's") {
  const Json d = rlpp::ddpg::Trainer::default_config();
  CHECK(d["twin_q"] == false);
  CHECK(d["policy_delay"] == 1);
  CHECK(d["smooth_target_policy"] == false);
  CHECK(d["exploration_config"]["type"] == "OrnsteinUhlenbeckNoise");
  CHECK(d["exploration_config"]["ou_base_scale"] == 0.1);
  CHECK(d["exploration_config"]["random_timesteps"] == 1000);
  CHECK(d["actor_hiddens"] == Json{400, 300});
  CHECK(d["critic_hiddens"] == Json{400, 300});
  CHECK(d["tau"] == 0.002);
  CHECK(d["l2_reg"] == 1e-6);
  CHECK(d["learning_starts"] == 1500);
  CHECK(d["train_batch_size"] == 256);
  CHECK(d["rollout_fragment_length"] == 1);
  CHECK(d["prioritized_replay"] == true);
  CHECK(d["target_network_update_freq"] == 0);
  CHECK(d["evaluation_config"]["explore"] == false);
  CHECK(d["normalize_actions"] == false);
  CHECK(rlpp::ddpg::Trainer::trainer_name() == "DDPG");

  const Json t = rlpp::td3::Trainer::default_config();
  CHECK(t["twin_q"] == true);
  CHECK(t["policy_delay"] == 2);
  CHECK(t["smooth_target_policy"] == true);
  CHECK(t["exploration_config"]["type"] == "GaussianNoise");
  CHECK(t["exploration_config"]["random_timesteps"] == 10000);
  CHECK(t["exploration_config"]["final_scale"] == 1.0);
  CHECK_FALSE(t["exploration_config"].contains("ou_theta"));
  CHECK(t["tau"] == 5e-3);
  CHECK(t["l2_reg"] == 0.0);
  CHECK(t["train_batch_size"] == 100);
  CHECK(t["buffer_size"] == 1000000);
  CHECK(t["prioritized_replay"] == false);
  CHECK(t["learning_starts"] == 10000);
  CHECK(rlpp::td3::Trainer::trainer_name() == "TD3");
}

TEST_CASE("DDPG config errors name the key") {
  const auto error_of = [](const Json& extra) {
    Json c{{"env", "Pendulum-v1"}};
    for (auto& [k, v] : extra.items()) c[k] = v;
    try {
      rlpp::ddpg::Trainer trainer(c);
    } catch (const rlpp::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of({{"policy_delay", 0}}).find("policy_delay") != std::string::npos);
  CHECK(error_of({{"tau", 1.5}}).find("tau") != std::string::npos);
  CHECK(error_of({{"target_noise", -0.1}}).find("target_noise") != std::string::npos);
  CHECK(error_of({{"use_huber", true}, {"huber_threshold", 0.0}}).find("huber_threshold") != std::string::npos);
  CHECK(error_of({{"grad_clip", 0.0}}).find("grad_clip") != std::string::npos);
  CHECK(error_of({{"normalize_actions", true}}).find("normalize_actions") != std::string::npos);
  CHECK(error_of({{"use_state_preprocessor", true}}).find("use_state_preprocessor") != std::string::npos);
  CHECK(error_of({{"exploration_config", {{"type", "EpsilonGreedy"}}}}).find("exploration_config.type") != std::string::npos);
  CHECK(error_of({{"actor_hidden", {64}}}).find("actor_hiddens") != std::string::npos);  // did you mean
  CHECK(error_of({{"worker_side_prioritization", true}}).find("worker_side_prioritization") != std::string::npos);
  // Spaces: DDPG needs a bounded Box action space.
  CHECK(error_of({{"env", "CartPole-v1"}}).find("Box action space") != std::string::npos);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(Policy(rlpp::Space(rlpp::Box(-1.0, 1.0, {2})), rlpp::Space(rlpp::Box(-inf, inf, {1})), policy_config()),
                       doctest::Contains("unbounded"), rlpp::SpaceError);
}

namespace {
Json small_trainer_config(const Json& extra = Json::object()) {
  Json c{{"env", "Pendulum-v1"},
         {"seed", 7},
         {"actor_hiddens", {16}},
         {"critic_hiddens", {16}},
         {"learning_starts", 64},
         {"timesteps_per_iteration", 150},
         {"min_iter_time_s", 0},
         {"train_batch_size", 32},
         {"buffer_size", 1000}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}
const Json& learner(const Json& result) { return result["info"]["learner"]["default_policy"]["learner_stats"]; }
}  // namespace

TEST_CASE("DDPG and TD3 trainers train on Pendulum-v1 with the off-policy plan") {
  SUBCASE("DDPG: prioritized replay, OU noise, target update every step") {
    rlpp::ddpg::Trainer trainer(small_trainer_config({{"exploration_config", {{"random_timesteps", 50}}}}));
    trainer.train();
    const Json r = trainer.train();
    CHECK(r["timesteps_total"].get<std::int64_t>() >= 300);
    for (const char* key : {"actor_loss", "critic_loss", "mean_q", "max_q", "min_q"})
      CHECK_MESSAGE(std::isfinite(learner(r)[key].get<double>()), key);
    CHECK(r["info"]["num_target_updates"].get<std::int64_t>() > 200);
  }
  SUBCASE("TD3: n_step 3 postprocessing writes n_step_discounts, within each fragment") {
    // As RLlib's DDPG/TD3, the fragment length is not raised to n_step: with the default 1 the
    // sums stop at each one-step fragment; with fragments of 3 the first row sums 3 rewards.
    rlpp::td3::Trainer trainer(small_trainer_config({{"n_step", 3}, {"exploration_config", {{"random_timesteps", 50}}}}));
    CHECK(trainer.config()["rollout_fragment_length"] == 1);
    const Json r = trainer.train();
    CHECK(std::isfinite(learner(r)["critic_loss"].get<double>()));
    rlpp::SampleBatch batch = trainer.workers().local_worker().sample();
    REQUIRE(batch.contains("n_step_discounts"));
    CHECK(batch.values<float>("n_step_discounts")[0] == doctest::Approx(0.99));
    rlpp::td3::Trainer longer(small_trainer_config(
        {{"n_step", 3}, {"rollout_fragment_length", 3}, {"exploration_config", {{"random_timesteps", 50}}}}));
    batch = longer.workers().local_worker().sample();
    REQUIRE(batch.count() == 3);
    CHECK(batch.values<float>("n_step_discounts")[0] == doctest::Approx(0.99 * 0.99 * 0.99));
    CHECK(batch.values<float>("n_step_discounts")[2] == doctest::Approx(0.99));
  }
}

TEST_CASE("TD3 trainers with the same seed give bit-identical weights, other seeds differ") {
  const auto weights_after = [](std::int64_t seed) {
    rlpp::td3::Trainer trainer(small_trainer_config({{"seed", seed}, {"exploration_config", {{"random_timesteps", 50}}}}));
    trainer.train();
    trainer.train();
    return trainer.workers().local_worker().policy("default_policy").get_weights();
  };
  const auto a = weights_after(7);
  CHECK(a == weights_after(7));
  CHECK(a != weights_after(8));
}

TEST_CASE("tuned configs are accepted by their trainers") {
  CHECK_NOTHROW(rlpp::ddpg::Trainer(rlpp::ddpg::tuned::pendulum_ddpg()));
  CHECK_NOTHROW(rlpp::td3::Trainer(rlpp::td3::tuned::pendulum_td3()));
  const Json rltools = rlpp::td3::tuned::rltools_pendulum(20000);
  CHECK(rltools["buffer_size"] == 20000);
  rlpp::td3::Trainer trainer(rltools);
  const auto& policy = trainer.workers().local_worker().policy("default_policy");
  CHECK(policy.get_weights().size() > 0);
}

TEST_CASE("a warm DDPG/TD3 loss step, forward and backward, allocates nothing") {
  auto policy = make_policy({{"twin_q", true}, {"smooth_target_policy", true}, {"policy_delay", 2}, {"l2_reg", 1e-3}});
  const auto batch = make_batch(20, true);
  rlpp::ad::Tape tape;
  const auto step = [&] {
    tape.reset();
    const auto p = rlpp::nn::bind(tape, policy.parameters());
    rlpp::LossContext<Policy> c(policy, batch, 0, batch.count(), tape, p);
    tape.backward(policy.loss()(c));
  };
  for (int learn_steps = 2; learn_steps <= 3; ++learn_steps) {
    CAPTURE(learn_steps);  // 2: with the actor term; 3: a delayed step
    while (policy.num_learn_steps() < learn_steps) policy.learn_on_batch(batch);  // sizes stats and TD errors
    step();
    step();
    CHECK(rlpp::test::count_allocations(step) == 0);
  }
}
