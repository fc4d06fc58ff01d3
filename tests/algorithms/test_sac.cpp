// SAC's parts checked against hand-computed numbers: the critic target (n-step discounts,
// terminal masking) through the TD errors, each parameter group receiving exactly its own
// loss's gradient (checked against the three losses computed separately), per-group learning
// rates, the soft target update, target_entropy "auto", RLlib's defaults and validation, the
// discrete variant, and bit-identical continuation and determinism.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <rlpp/algorithms/sac/sac.hpp>
#include <rlpp/autodiff/ops.hpp>
#include <rlpp/nn/layers/binding.hpp>

namespace {

using rlpp::Json;

constexpr std::size_t kRows = 6;
constexpr std::size_t kObs = 3;

Json policy_config(Json extra = Json::object()) {
  Json c{{"policy_model", {{"fcnet_hiddens", {8}}}},
         {"Q_model", {{"fcnet_hiddens", {8}}}},
         {"seed", 3},
         {"gamma", 0.9},
         {"initial_alpha", 0.7},
         {"use_huber", false},
         {"optimization", {{"actor_learning_rate", 0.01}, {"critic_learning_rate", 0.02}, {"entropy_learning_rate", 0.03}}}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

rlpp::sac::Policy box_policy(Json extra = Json::object()) {
  return rlpp::sac::Policy(rlpp::Space(rlpp::Box(-1.0, 1.0, {kObs})), rlpp::Space(rlpp::Box(-2.0, 2.0, {2})),
                           policy_config(std::move(extra)));
}
rlpp::sac::Policy discrete_policy(Json extra = Json::object()) {
  return rlpp::sac::Policy(rlpp::Space(rlpp::Box(-1.0, 1.0, {kObs})), rlpp::Space(rlpp::Discrete(3)),
                           policy_config(std::move(extra)));
}

// Rows 0..5: rewards 1..6 * 0.5, n-step discounts 0.9, 0.81, 0.729, 0.9, 0.81, 0.9; rows 2 and
// 4 terminated.
const std::vector<float> kRewards{0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f};
const std::vector<float> kDiscounts{0.9f, 0.81f, 0.729f, 0.9f, 0.81f, 0.9f};
const std::vector<bool> kTerminated{false, false, true, false, true, false};

rlpp::SampleBatch make_batch(bool discrete, bool with_discounts = true) {
  xt::xarray<float> obs = xt::zeros<float>({kRows, kObs});
  xt::xarray<float> new_obs = xt::zeros<float>({kRows, kObs});
  for (std::size_t i = 0; i < kRows; ++i)
    for (std::size_t d = 0; d < kObs; ++d) {
      obs(i, d) = 0.3f * static_cast<float>((i * 3 + d) % 7) - 0.9f;
      new_obs(i, d) = 0.25f * static_cast<float>((i * 5 + 2 * d) % 7) - 0.8f;
    }
  xt::xarray<float> rewards = xt::zeros<float>({kRows});
  xt::xarray<float> discounts = xt::zeros<float>({kRows});
  xt::xarray<bool> terminated = xt::zeros<bool>({kRows});
  for (std::size_t i = 0; i < kRows; ++i) {
    rewards(i) = kRewards[i];
    discounts(i) = kDiscounts[i];
    terminated(i) = kTerminated[i];
  }
  rlpp::SampleBatch b;
  b.set(rlpp::cols::obs, obs);
  b.set(rlpp::cols::new_obs, new_obs);
  b.set(rlpp::cols::rewards, rewards);
  b.set(rlpp::cols::terminateds, terminated);
  if (with_discounts) b.set(rlpp::cols::n_step_discounts, discounts);
  if (discrete) {
    xt::xarray<std::int64_t> actions = xt::zeros<std::int64_t>({kRows});
    for (std::size_t i = 0; i < kRows; ++i) actions(i) = static_cast<std::int64_t>(i % 3);
    b.set(rlpp::cols::actions.name, rlpp::Column(actions));
  } else {
    xt::xarray<float> actions = xt::zeros<float>({kRows, std::size_t{2}});
    for (std::size_t i = 0; i < kRows; ++i) {
      actions(i, 0) = 0.6f * static_cast<float>(i) - 1.5f;
      actions(i, 1) = 1.2f - 0.4f * static_cast<float>(i);
    }
    b.set(rlpp::cols::actions.name, rlpp::Column(actions));
  }
  return b;
}

rlpp::nn::Matrix matrix(const rlpp::SampleBatch& b, const char* name) { return b.matrix(name); }

double stat(const Json& info, const char* key) { return info["learner_stats"][key].get<double>(); }

// Q-values of a [rows, kObs] observation matrix under `params` (Discrete: [rows, 3]).
struct DiscreteEval {
  rlpp::nn::Matrix logits, q1, q2;
};
DiscreteEval eval_discrete(const rlpp::sac::Policy& policy, const rlpp::nn::Parameters& params, const rlpp::nn::Matrix& obs) {
  rlpp::ad::Tape tape;
  const auto p = rlpp::nn::bind_frozen(tape, params);
  rlpp::ModelInput<float> in;
  in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
  DiscreteEval e;
  e.logits = policy.model().forward(p, in).outputs.value();
  e.q1 = policy.model().q1(p, in.obs).value();
  e.q2 = policy.model().q2(p, in.obs).value();
  return e;
}

bool range_changed(const std::vector<float>& before, const std::vector<float>& after, const rlpp::nn::ParamGroup& g) {
  for (std::size_t i = g.begin; i < g.end; ++i)
    if (before[i] != after[i]) return true;
  return false;
}

}  // namespace

namespace {
// The TD errors are mostly beyond Huber's delta of 1 here (targets of 1-4, initial Q near 0).
void check_discrete_target(bool huber) {
  CAPTURE(huber);
  auto policy = discrete_policy({{"use_huber", huber}});
  const rlpp::SampleBatch batch = make_batch(true);
  const rlpp::nn::Matrix obs = matrix(batch, "obs"), new_obs = matrix(batch, "new_obs");
  const DiscreteEval now = eval_discrete(policy, policy.parameters(), obs);
  const DiscreteEval next_online = eval_discrete(policy, policy.parameters(), new_obs);
  const DiscreteEval next_target = eval_discrete(policy, policy.target_parameters(), new_obs);
  const double alpha = 0.7;
  double critic = 0.0;
  std::vector<double> td(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    double lse = 0.0;
    for (int a = 0; a < 3; ++a) lse += std::exp(static_cast<double>(next_online.logits(r, a)));
    lse = std::log(lse);
    double v = 0.0;
    for (int a = 0; a < 3; ++a) {
      const double logp = next_online.logits(r, a) - lse;
      const double q = std::min(next_target.q1(r, a), next_target.q2(r, a));
      v += std::exp(logp) * (q - alpha * logp);
    }
    const double y = kRewards[i] + (kTerminated[i] ? 0.0 : kDiscounts[i] * v);
    const auto a = static_cast<Eigen::Index>(i % 3);
    const double e1 = now.q1(r, a) - y, e2 = now.q2(r, a) - y;
    const auto loss = [&](double e) { return huber && std::abs(e) > 1.0 ? std::abs(e) - 0.5 : 0.5 * e * e; };
    critic += (loss(e1) + loss(e2)) / kRows;
    td[i] = 0.5 * (std::abs(e1) + std::abs(e2));
  }
  const Json info = policy.learn_on_batch(batch);
  CHECK(stat(info, "critic_loss") == doctest::Approx(critic).epsilon(1e-5));
  const auto errors = policy.td_errors();
  REQUIRE(errors.size() == kRows);
  for (std::size_t i = 0; i < kRows; ++i) CHECK(errors[i] == doctest::Approx(td[i]).epsilon(1e-5));
  CHECK(stat(info, "alpha_value") == doctest::Approx(0.7));
  CHECK(stat(info, "target_entropy") == doctest::Approx(-3.0));
}
}  // namespace

TEST_CASE("SAC discrete: the critic target r + d_n (1 - terminated) E_pi'[minQtarg - alpha log pi'] by hand") {
  check_discrete_target(false);  // 0.5 (Q - y)^2
  check_discrete_target(true);   // RLlib torch's huber_loss(Q - y)
}

TEST_CASE("SAC Box: terminated rows bootstrap nothing, so their TD error is that of the reward alone") {
  auto policy = box_policy({{"twin_q", false}});
  const rlpp::SampleBatch batch = make_batch(false);
  const rlpp::nn::Matrix obs = matrix(batch, "obs"), act = matrix(batch, "actions");
  rlpp::ad::Tape tape;
  const auto p = rlpp::nn::bind_frozen(tape, policy.parameters());
  const auto q = policy.model().q1(p, tape.input(obs.data(), obs.rows(), obs.cols()), tape.input(act.data(), act.rows(), act.cols()));
  const rlpp::nn::Matrix qv = q.value();
  (void)policy.learn_on_batch(batch);
  const auto errors = policy.td_errors();
  REQUIRE(errors.size() == kRows);
  CHECK(errors[2] == doctest::Approx(std::abs(qv(2, 0) - kRewards[2])));
  CHECK(errors[4] == doctest::Approx(std::abs(qv(4, 0) - kRewards[4])));
  // Without n_step_discounts the bootstrap uses gamma; terminated rows are unaffected.
  auto other = box_policy({{"twin_q", false}});
  (void)other.learn_on_batch(make_batch(false, false));
  CHECK(other.td_errors()[2] == doctest::Approx(std::abs(qv(2, 0) - kRewards[2])));
}

TEST_CASE("SAC discrete: each parameter group gets exactly its own loss's gradient from the one backward pass") {
  auto policy = discrete_policy();
  const rlpp::SampleBatch batch = make_batch(true);
  const rlpp::nn::Parameters before = policy.parameters();
  (void)policy.learn_on_batch(batch);
  const auto grads = policy.parameters().grads();

  // The three losses, each on its own copy of the weights, each alone.
  const rlpp::nn::Matrix obs = matrix(batch, "obs"), new_obs = matrix(batch, "new_obs");
  const DiscreteEval next_online = eval_discrete(policy, before, new_obs);
  const DiscreteEval next_target = eval_discrete(policy, before, new_obs);
  const DiscreteEval now = eval_discrete(policy, before, obs);
  const float alpha = 0.7f;
  const double target_entropy = -3.0;
  rlpp::nn::Matrix y(static_cast<Eigen::Index>(kRows), 1), onehot = rlpp::nn::Matrix::Zero(static_cast<Eigen::Index>(kRows), 3);
  for (std::size_t i = 0; i < kRows; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    const Eigen::RowVectorXf logits = next_online.logits.row(r);
    const float lse = std::log(logits.array().exp().sum());
    float v = 0.0f;
    for (int a = 0; a < 3; ++a)
      v += std::exp(logits(a) - lse) * (std::min(next_target.q1(r, a), next_target.q2(r, a)) - alpha * (logits(a) - lse));
    y(r, 0) = kRewards[i] + (kTerminated[i] ? 0.0f : kDiscounts[i] * v);
    onehot(r, static_cast<Eigen::Index>(i % 3)) = 1.0f;
  }
  const auto groups = policy.parameter_groups();
  const auto grad_of = [&](int which) {
    rlpp::nn::Parameters copy = before;
    copy.zero_grad();
    rlpp::ad::Tape tape;
    const auto p = rlpp::nn::bind(tape, copy);
    const auto o = tape.input(obs.data(), obs.rows(), obs.cols());
    rlpp::ad::Var loss;
    if (which == 0) {  // critic
      const auto yv = tape.constant(y);
      const auto oh = tape.constant(onehot);
      loss = 0.5f * rlpp::ad::mean(rlpp::ad::square(rlpp::ad::row_sum(policy.model().q1(p, o) * oh) - yv)) +
             0.5f * rlpp::ad::mean(rlpp::ad::square(rlpp::ad::row_sum(policy.model().q2(p, o) * oh) - yv));
    } else if (which == 1) {  // actor, Q constant
      rlpp::ModelInput<float> in;
      in.obs = o;
      const auto log_pi = rlpp::ad::log_softmax(policy.model().forward(p, in).outputs);
      const auto q = tape.constant(rlpp::nn::Matrix(now.q1.cwiseMin(now.q2)));
      loss = rlpp::ad::mean(rlpp::ad::row_sum(rlpp::ad::exp(log_pi) * (alpha * log_pi - q)));
    } else {  // alpha
      rlpp::nn::Matrix w(static_cast<Eigen::Index>(kRows), 1);
      for (std::size_t i = 0; i < kRows; ++i) {
        const auto r = static_cast<Eigen::Index>(i);
        const Eigen::RowVectorXf logits = now.logits.row(r);
        const float lse = std::log(logits.array().exp().sum());
        float s = 0.0f;
        for (int a = 0; a < 3; ++a) s += std::exp(logits(a) - lse) * (logits(a) - lse + static_cast<float>(target_entropy));
        w(r, 0) = s;
      }
      loss = -rlpp::ad::mean(policy.model().log_alpha(p) * tape.constant(w));
    }
    tape.backward(loss);
    const auto g = copy.grads();
    return std::vector<float>(g.begin(), g.end());
  };
  for (int which = 0; which < 3; ++which) {
    const std::vector<float> expected = grad_of(which);
    const auto& group = groups[which == 0 ? 1 : (which == 1 ? 0 : 2)];
    CAPTURE(group.name);
    double max_abs = 0.0, max_err = 0.0;
    for (std::size_t i = group.begin; i < group.end; ++i) {
      max_abs = std::max(max_abs, std::abs(static_cast<double>(expected[i])));
      max_err = std::max(max_err, std::abs(static_cast<double>(grads[i] - expected[i])));
    }
    CHECK(max_abs > 0.0);
    CHECK(max_err <= 1e-5 * std::max(1.0, max_abs));
  }
}

TEST_CASE("SAC: a group with learning rate 0 is not changed; Adam's first step moves log_alpha by the entropy lr") {
  const rlpp::SampleBatch batch = make_batch(false);
  for (const char* only : {"actor", "critic", "alpha"}) {
    CAPTURE(only);
    const std::string o(only);
    auto policy = box_policy({{"optimization",
                               {{"actor_learning_rate", o == "actor" ? 0.01 : 0.0},
                                {"critic_learning_rate", o == "critic" ? 0.01 : 0.0},
                                {"entropy_learning_rate", o == "alpha" ? 0.01 : 0.0}}}});
    const std::vector<float> before = policy.get_weights();
    (void)policy.learn_on_batch(batch);
    const std::vector<float> after = policy.get_weights();
    for (const auto& g : policy.parameter_groups()) CHECK(range_changed(before, after, g) == (g.name == o));
  }
  auto policy = box_policy();
  CHECK(policy.loss().learning_rate(policy.config(), "actor") == 0.01);
  CHECK(policy.loss().learning_rate(policy.config(), "critic") == 0.02);
  CHECK(policy.loss().learning_rate(policy.config(), "alpha") == 0.03);
  const float log_alpha = policy.model().log_alpha_value(policy.parameters());
  CHECK(log_alpha == doctest::Approx(std::log(0.7)));
  const Json info = policy.learn_on_batch(batch);
  const double moved = static_cast<double>(policy.model().log_alpha_value(policy.parameters()) - log_alpha);
  CHECK(std::abs(moved) == doctest::Approx(0.03).epsilon(1e-3));
  CHECK(stat(info, "log_alpha_value") == doctest::Approx(std::log(0.7)));
}

TEST_CASE("SAC soft target update: target = tau * w + (1 - tau) * target") {
  auto policy = box_policy({{"tau", 0.25}});
  const std::vector<float> initial = policy.get_weights();
  CHECK(policy.get_target_weights() == initial);
  (void)policy.learn_on_batch(make_batch(false));
  const std::vector<float> w = policy.get_weights();
  policy.update_target();
  std::vector<float> t = policy.get_target_weights();
  for (std::size_t i = 0; i < w.size(); i += 7) CHECK(t[i] == doctest::Approx(0.25 * w[i] + 0.75 * initial[i]));
  policy.update_target(0.5);
  const std::vector<float> t2 = policy.get_target_weights();
  for (std::size_t i = 0; i < w.size(); i += 7) CHECK(t2[i] == doctest::Approx(0.5 * w[i] + 0.5 * t[i]));
}

TEST_CASE("SAC target_entropy auto: -d for Box(d), -n for Discrete(n); a number is used as given") {
  const rlpp::Config auto_config(Json{{"target_entropy", "auto"}});
  CHECK(rlpp::sac::target_entropy(auto_config, rlpp::Space(rlpp::Box(-1.0, 1.0, {3}))) == -3.0);
  CHECK(rlpp::sac::target_entropy(auto_config, rlpp::Space(rlpp::Discrete(2))) == -2.0);
  CHECK(rlpp::sac::target_entropy(rlpp::Config(Json{{"target_entropy", 0.5}}), rlpp::Space(rlpp::Discrete(2))) == 0.5);
  CHECK_THROWS_AS(rlpp::sac::target_entropy(rlpp::Config(Json{{"target_entropy", "high"}}), rlpp::Space(rlpp::Discrete(2))),
                  rlpp::ConfigError);
  auto policy = box_policy();
  CHECK(stat(policy.learn_on_batch(make_batch(false)), "target_entropy") == -2.0);
}

TEST_CASE("SAC's defaults are RLlib's") {
  const Json d = rlpp::sac::Trainer::default_config();
  CHECK(d["twin_q"] == true);
  CHECK(d["Q_model"]["fcnet_hiddens"] == Json::array({256, 256}));
  CHECK(d["Q_model"]["fcnet_activation"] == "relu");
  CHECK(d["policy_model"]["fcnet_hiddens"] == Json::array({256, 256}));
  CHECK(d["clip_actions"] == false);
  CHECK(d["tau"] == 5e-3);
  CHECK(d["initial_alpha"] == 1.0);
  CHECK(d["target_entropy"] == "auto");
  CHECK(d["n_step"] == 1);
  CHECK(d["timesteps_per_iteration"] == 100);
  CHECK(d["buffer_size"] == 1000000);
  CHECK(d["prioritized_replay"] == false);
  CHECK(d["optimization"]["actor_learning_rate"] == 3e-4);
  CHECK(d["optimization"]["critic_learning_rate"] == 3e-4);
  CHECK(d["optimization"]["entropy_learning_rate"] == 3e-4);
  CHECK(d["grad_clip"].is_null());
  CHECK(d["learning_starts"] == 1500);
  CHECK(d["rollout_fragment_length"] == 1);
  CHECK(d["train_batch_size"] == 256);
  CHECK(d["target_network_update_freq"] == 0);
  CHECK(d["exploration_config"]["type"] == "StochasticSampling");
}

TEST_CASE("SAC rejects bad configs, naming the key") {
  const auto fails = [](Json extra, const std::string& key) {
    Json c{{"env", "Pendulum-v1"}};
    for (auto& [k, v] : extra.items()) c[k] = v;
    try {
      rlpp::sac::Trainer trainer(c);
      FAIL("accepted " << extra.dump());
    } catch (const rlpp::ConfigError& e) {
      CHECK_MESSAGE(std::string(e.what()).find(key) != std::string::npos, e.what());
    }
  };
  fails({{"grad_clip", 0.0}}, "grad_clip");
  fails({{"target_entropy", "high"}}, "target_entropy");
  fails({{"optimization", {{"actor_lr", 0.1}}}}, "actor_lr");
  fails({{"optimization", {{"actor_learning_rate", -0.1}}}}, "actor_learning_rate");
  fails({{"tau", 1.5}}, "tau");
  fails({{"initial_alpha", 0.0}}, "initial_alpha");
  fails({{"normalize_actions", true}}, "normalize_actions");
  fails({{"_use_beta_distribution", true}}, "_use_beta_distribution");
  fails({{"n_step", 0}}, "n_step");
  fails({{"Q_model", {{"fcnet_hidens", {4}}}}}, "fcnet_hidens");
  fails({{"twin_qq", true}}, "twin_qq");
}

namespace {
Json small_trainer_config(const char* env, Json extra = Json::object()) {
  Json c{{"env", env},
         {"seed", 5},
         {"learning_starts", 64},
         {"timesteps_per_iteration", 100},
         {"min_iter_time_s", 0},
         {"train_batch_size", 16},
         {"policy_model", {{"fcnet_hiddens", {16}}}},
         {"Q_model", {{"fcnet_hiddens", {16}}}}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}
const Json& learner(const Json& result) { return result["info"]["learner"]["default_policy"]["learner_stats"]; }
}  // namespace

TEST_CASE("SAC trains Box (Pendulum) and Discrete (CartPole) policies, with n-step and prioritized replay") {
  for (const char* env : {"Pendulum-v1", "CartPole-v1"}) {
    CAPTURE(env);
    rlpp::sac::Trainer trainer(small_trainer_config(env, {{"n_step", 3}, {"prioritized_replay", true}}));
    Json r = trainer.train();
    r = trainer.train();
    const Json& l = learner(r);
    for (const char* key : {"actor_loss", "critic_loss", "alpha_loss", "alpha_value", "log_alpha_value", "target_entropy",
                            "policy_t", "mean_q", "max_q", "min_q"})
      CHECK_MESSAGE(l.contains(key), key);
    CHECK(std::isfinite(l["critic_loss"].get<double>()));
    CHECK(l["min_q"].get<double>() <= l["max_q"].get<double>());
    // Unlike DQN, SAC keeps its fragment length (as RLlib's SAC): n-step sums are cut at
    // fragment ends.
    CHECK(trainer.config()["rollout_fragment_length"] == 1);
  }
  // Evaluation without exploration is deterministic: the squashed mean / the argmax.
  rlpp::sac::Trainer trainer(small_trainer_config("Pendulum-v1"));
  auto& policy = trainer.workers().local_worker().policy("default_policy");
  const rlpp::nn::Matrix obs = rlpp::nn::Matrix::Constant(1, 3, 0.2f);
  const float a1 = policy.compute_actions(obs, {}, false).actions(0, 0);
  const float a2 = policy.compute_actions(obs, {}, false).actions(0, 0);
  CHECK(a1 == a2);
  CHECK(std::abs(a1) <= 2.0f);
}

TEST_CASE("a SAC policy restored from its state learns bit-identically (noise stream, optimizers, target)") {
  auto a = box_policy();
  const rlpp::SampleBatch batch = make_batch(false);
  (void)a.learn_on_batch(batch);
  a.update_target();
  auto b = box_policy({{"seed", 99}});
  b.set_state(a.get_state());
  CHECK(b.get_weights() == a.get_weights());
  CHECK(b.get_state()["sgd_rng"] == a.get_state()["sgd_rng"]);
  for (int k = 0; k < 3; ++k) {
    const Json ia = a.learn_on_batch(batch);
    const Json ib = b.learn_on_batch(batch);
    CHECK(stat(ia, "total_loss") == stat(ib, "total_loss"));
    a.update_target();
    b.update_target();
  }
  CHECK(a.get_weights() == b.get_weights());
  CHECK(a.get_target_weights() == b.get_target_weights());
  // A pending normal() spare is part of the noise stream's state.
  const Json spare = Json::array({1u, 2u, 3u, 4u, 0.25});
  Json state = a.get_state();
  state["sgd_rng"] = spare;
  b.set_state(state);
  CHECK(b.get_state()["sgd_rng"] == spare);
}

TEST_CASE("SAC trainers with the same seed give bit-identical weights") {
  rlpp::sac::Trainer a(small_trainer_config("Pendulum-v1"));
  rlpp::sac::Trainer b(small_trainer_config("Pendulum-v1"));
  for (int k = 0; k < 2; ++k) {
    const Json ra = a.train();
    const Json rb = b.train();
    CHECK(learner(ra)["total_loss"] == learner(rb)["total_loss"]);
  }
  CHECK(a.workers().local_worker().policy("default_policy").get_weights() ==
        b.workers().local_worker().policy("default_policy").get_weights());
}

TEST_CASE("a SAC trainer checkpoint restores the weights, target network and policy state, and the buffer with store_buffer_in_checkpoints") {
  const auto dir = std::filesystem::temp_directory_path() / "rlpp_test_sac_restore";
  std::filesystem::remove_all(dir);
  rlpp::sac::Trainer a(small_trainer_config("Pendulum-v1", {{"store_buffer_in_checkpoints", true}}));
  (void)a.train();
  (void)a.train();
  const auto checkpoint = a.save(dir);
  rlpp::sac::Trainer b(small_trainer_config("Pendulum-v1", {{"seed", 6}, {"store_buffer_in_checkpoints", true}}));
  b.restore(checkpoint);
  const auto& pa = a.workers().local_worker().policy("default_policy");
  const auto& pb = b.workers().local_worker().policy("default_policy");
  CHECK(pa.get_weights() == pb.get_weights());
  const Json sa = pa.get_state(), sb = pb.get_state();
  CHECK(sa["target_weights"] == sb["target_weights"]);
  CHECK(sa["sgd_rng"] == sb["sgd_rng"]);
  CHECK(sa["optimizer"] == sb["optimizer"]);
  // The replay buffer is in the checkpoint too (store_buffer_in_checkpoints; with RLlib's
  // default, false, it is not, and a restored trainer refills it before learning again), so
  // both trainers continue bit-identically.
  for (int k = 0; k < 2; ++k) {
    CAPTURE(k);
    const Json ra = a.train(), rb = b.train();
    CHECK(learner(ra).dump() == learner(rb).dump());
    CHECK(ra["episode_reward_mean"].dump() == rb["episode_reward_mean"].dump());
    CHECK(ra["info"]["num_steps_trained"] == rb["info"]["num_steps_trained"]);
  }
  CHECK(learner(a.train()).contains("mean_q"));
  CHECK(pa.get_weights() != pb.get_weights());  // (a trained once more: the comparison can fail)
  (void)b.train();
  CHECK(pa.get_weights() == pb.get_weights());
  CHECK(pa.get_state() == pb.get_state());
  std::filesystem::remove_all(dir);
}

TEST_CASE("SAC Box: the critics' gradient is that of the critic loss alone (the actor loss reaches no critic weight)") {
  // Every row terminated: y = r, independent of the sampled next actions, so the critic loss
  // can be recomputed here; the actor term min Q(s, a~) must add nothing to the critic group.
  auto policy = box_policy();
  rlpp::SampleBatch batch = make_batch(false);
  batch.set(rlpp::cols::terminateds, xt::xarray<bool>(xt::ones<bool>({kRows})));
  const rlpp::nn::Parameters before = policy.parameters();
  (void)policy.learn_on_batch(batch);
  const auto grads = policy.parameters().grads();

  const rlpp::nn::Matrix obs = matrix(batch, "obs"), act = matrix(batch, "actions");
  rlpp::nn::Parameters copy = before;
  copy.zero_grad();
  rlpp::ad::Tape tape;
  const auto p = rlpp::nn::bind(tape, copy);
  const auto o = tape.input(obs.data(), obs.rows(), obs.cols());
  const auto a = tape.input(act.data(), act.rows(), act.cols());
  rlpp::nn::Matrix r(static_cast<Eigen::Index>(kRows), 1);
  for (std::size_t i = 0; i < kRows; ++i) r(static_cast<Eigen::Index>(i), 0) = kRewards[i];
  const auto y = tape.constant(r);
  const auto loss = 0.5f * rlpp::ad::mean(rlpp::ad::square(policy.model().q1(p, o, a) - y)) +
                    0.5f * rlpp::ad::mean(rlpp::ad::square(policy.model().q2(p, o, a) - y));
  tape.backward(loss);
  const auto expected = copy.grads();
  const auto critic = policy.parameter_groups()[1];
  REQUIRE(critic.name == "critic");
  double max_abs = 0.0, max_err = 0.0;
  for (std::size_t i = critic.begin; i < critic.end; ++i) {
    max_abs = std::max(max_abs, std::abs(static_cast<double>(expected[i])));
    max_err = std::max(max_err, std::abs(static_cast<double>(grads[i] - expected[i])));
  }
  CHECK(max_abs > 0.0);
  CHECK(max_err <= 1e-5 * std::max(1.0, max_abs));
  // The actor and alpha groups did get gradients (from their own losses).
  const auto actor = policy.parameter_groups()[0];
  const auto alpha = policy.parameter_groups()[2];
  double actor_norm = 0.0;
  for (std::size_t i = actor.begin; i < actor.end; ++i) actor_norm += std::abs(static_cast<double>(grads[i]));
  CHECK(actor_norm > 0.0);
  double alpha_norm = 0.0;
  for (std::size_t i = alpha.begin; i < alpha.end; ++i) alpha_norm += std::abs(static_cast<double>(grads[i]));
  CHECK(alpha_norm > 0.0);
}
