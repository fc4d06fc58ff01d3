// PPO's parts checked against hand-computed numbers: the loss (clipped surrogate, KL penalty,
// clipped value loss, entropy; advantages standardized per minibatch), the learner stats, the
// zero gradient of a fully clipped batch, KLCoeffMixin's update rule and UpdateKL in the plan,
// the entropy coefficient schedule, RLlib's defaults and validation, and training on discrete,
// multi-discrete, continuous and recurrent policies.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <rlpp/algorithms/ppo/ppo.hpp>
#include <rlpp/policy/any_policy.hpp>

namespace rlpp::test {
// A policy with PPO's loss but none of its mixins.
using PlainPolicy = build_policy<"PlainPolicy", loss<ppo::Loss>, postprocess<generalized_advantages>>;
}  // namespace rlpp::test

namespace {

using rlpp::Json;
using rlpp::cols::action_dist_inputs;
using rlpp::cols::action_logp;
using rlpp::cols::advantages;
using rlpp::cols::obs;
using rlpp::cols::value_targets;
using rlpp::cols::vf_preds;

constexpr std::size_t kRows = 6;
constexpr double kClip = 0.2;
constexpr double kVfClip = 1.0;

Json policy_config(Json extra = Json::object()) {
  Json c{{"model", {{"fcnet_hiddens", {8}}, {"vf_share_layers", false}}},
         {"seed", 3},
         {"lr", 0.001},
         {"clip_param", kClip},
         {"vf_clip_param", kVfClip},
         {"kl_coeff", 0.3},
         {"vf_loss_coeff", 0.7},
         {"entropy_coeff", 0.05},
         {"num_sgd_iter", 1},
         {"sgd_minibatch_size", 0},
         {"advantage_normalization", "none"}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

rlpp::ppo::Policy make_policy(Json extra = Json::object()) {
  return rlpp::ppo::Policy(rlpp::Space(rlpp::Box(-10.0, 10.0, {4})), rlpp::Space(rlpp::Discrete(2)), policy_config(extra));
}

// A batch whose old policy, old values and behaviour log-probs are chosen around the current
// policy so that every branch of the loss is taken: ratios above 1 + clip and below 1 - clip
// with positive and negative advantages, and old values further than vf_clip_param away.
struct Fixture {
  rlpp::SampleBatch batch;
  std::vector<double> new_logits0, new_logits1, values;
};

Fixture make_batch(rlpp::ppo::Policy& policy, std::vector<double> log_ratio, std::vector<float> adv) {
  xt::xarray<float> o = xt::zeros<float>({kRows, std::size_t{4}});
  for (std::size_t i = 0; i < kRows; ++i)
    for (std::size_t d = 0; d < 4; ++d) o(i, d) = 0.3f * static_cast<float>((i * 3 + d) % 7) - 0.9f;
  rlpp::nn::Matrix obs_m(static_cast<Eigen::Index>(kRows), 4);
  for (std::size_t i = 0; i < kRows; ++i)
    for (std::size_t d = 0; d < 4; ++d) obs_m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(d)) = o(i, d);
  const auto& out = policy.compute_actions(obs_m, {}, false);
  Fixture f;
  xt::xarray<std::int64_t> actions = xt::zeros<std::int64_t>({kRows});
  xt::xarray<float> old_logits = xt::zeros<float>({kRows, std::size_t{2}});
  xt::xarray<float> logp = xt::zeros<float>({kRows});
  xt::xarray<float> old_values = xt::zeros<float>({kRows});
  xt::xarray<float> targets = xt::zeros<float>({kRows});
  xt::xarray<float> advs = xt::zeros<float>({kRows});
  for (std::size_t i = 0; i < kRows; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    const double l0 = out.action_dist_inputs(r, 0), l1 = out.action_dist_inputs(r, 1);
    f.new_logits0.push_back(l0);
    f.new_logits1.push_back(l1);
    f.values.push_back(out.vf_preds(r, 0));
    const auto a = static_cast<std::int64_t>(i % 2);
    actions(i) = a;
    const double lse = std::log(std::exp(l0) + std::exp(l1));
    const double new_logp = (a == 0 ? l0 : l1) - lse;
    logp(i) = static_cast<float>(new_logp - log_ratio[i]);
    old_logits(i, 0) = static_cast<float>(l0 + 0.4 * (static_cast<double>(i) - 2.5));
    old_logits(i, 1) = static_cast<float>(l1 - 0.3);
    old_values(i) = static_cast<float>(out.vf_preds(r, 0) + (i % 3 == 0 ? 3.0 : (i % 3 == 1 ? -2.5 : 0.2)));
    targets(i) = static_cast<float>(1.5 - 0.7 * static_cast<double>(i));
    advs(i) = adv[i];
  }
  f.batch.set(obs, o);
  f.batch.set(rlpp::cols::actions.name, rlpp::Column(actions));
  f.batch.set(action_dist_inputs, old_logits);
  f.batch.set(action_logp, logp);
  f.batch.set(vf_preds, old_values);
  f.batch.set(value_targets, targets);
  f.batch.set(advantages, advs);
  return f;
}

struct Expected {
  double total, policy_loss, vf_loss, kl, entropy;
};

// The loss of ppo_loss.hpp's formula in double, from the batch and the current outputs.
Expected expected_loss(const Fixture& f, std::vector<double> adv, double kl_coeff, double vf_coeff, double entropy_coeff) {
  const auto& b = f.batch;
  const auto logp_old = b.values<float>(action_logp.name);
  const auto old_logits = b.values<float>(action_dist_inputs.name);
  const auto old_values = b.values<float>(vf_preds.name);
  const auto targets = b.values<float>(value_targets.name);
  Expected e{0, 0, 0, 0, 0};
  for (std::size_t i = 0; i < kRows; ++i) {
    const double l0 = f.new_logits0[i], l1 = f.new_logits1[i];
    const double lse = std::log(std::exp(l0) + std::exp(l1));
    const double p0 = std::exp(l0 - lse), p1 = std::exp(l1 - lse);
    const double new_logp = (i % 2 == 0 ? l0 : l1) - lse;
    const double ratio = std::exp(new_logp - logp_old[i]);
    const double surr = std::min(adv[i] * ratio, adv[i] * std::clamp(ratio, 1.0 - kClip, 1.0 + kClip));
    const double o0 = old_logits[2 * i], o1 = old_logits[2 * i + 1];
    const double olse = std::log(std::exp(o0) + std::exp(o1));
    const double q0 = std::exp(o0 - olse), q1 = std::exp(o1 - olse);
    const double kl = q0 * (std::log(q0) - std::log(p0)) + q1 * (std::log(q1) - std::log(p1));
    const double entropy = -(p0 * std::log(p0) + p1 * std::log(p1));
    const double v = f.values[i];
    const double vf1 = (v - targets[i]) * (v - targets[i]);
    const double vclipped = old_values[i] + std::clamp(v - old_values[i], -kVfClip, kVfClip);
    const double vf = std::max(vf1, (vclipped - targets[i]) * (vclipped - targets[i]));
    e.policy_loss += -surr / kRows;
    e.kl += kl / kRows;
    e.entropy += entropy / kRows;
    e.vf_loss += vf / kRows;
    e.total += (-surr + kl_coeff * kl + vf_coeff * vf - entropy_coeff * entropy) / kRows;
  }
  return e;
}

double stat(const Json& info, const char* key) { return info["learner_stats"][key].get<double>(); }

const std::vector<double> kLogRatios{0.5, -0.5, 0.05, 0.5, -0.5, 0.0};
const std::vector<float> kAdvantages{1.0f, 2.0f, -1.5f, -0.5f, -2.0f, 0.7f};

}  // namespace

TEST_CASE("PPO loss equals the hand-computed clipped surrogate + KL + clipped value loss - entropy") {
  auto policy = make_policy();
  Fixture f = make_batch(policy, kLogRatios, kAdvantages);
  const Expected e = expected_loss(f, {kAdvantages.begin(), kAdvantages.end()}, 0.3, 0.7, 0.05);
  const Json info = policy.learn_on_batch(f.batch);
  CHECK(stat(info, "total_loss") == doctest::Approx(e.total).epsilon(1e-4));
  CHECK(stat(info, "policy_loss") == doctest::Approx(e.policy_loss).epsilon(1e-4));
  CHECK(stat(info, "vf_loss") == doctest::Approx(e.vf_loss).epsilon(1e-4));
  CHECK(stat(info, "kl") == doctest::Approx(e.kl).epsilon(1e-4));
  CHECK(stat(info, "entropy") == doctest::Approx(e.entropy).epsilon(1e-4));
  CHECK(stat(info, "cur_kl_coeff") == doctest::Approx(0.3));
  CHECK(stat(info, "entropy_coeff") == doctest::Approx(0.05));
  CHECK(stat(info, "cur_lr") == doctest::Approx(0.001));
  for (const char* key : {"cur_kl_coeff", "cur_lr", "total_loss", "policy_loss", "vf_loss", "vf_explained_var", "kl",
                          "entropy", "entropy_coeff", "grad_gnorm"})
    CHECK_MESSAGE(info["learner_stats"].contains(key), key);
}

TEST_CASE("PPO loss with advantage_normalization minibatch standardizes advantages within the minibatch") {
  auto policy = make_policy({{"advantage_normalization", "minibatch"}});
  Fixture f = make_batch(policy, kLogRatios, kAdvantages);
  double mean = 0.0;
  for (float a : kAdvantages) mean += a / static_cast<double>(kRows);
  double var = 0.0;
  for (float a : kAdvantages) var += (a - mean) * (a - mean) / static_cast<double>(kRows - 1);
  std::vector<double> standardized;
  for (float a : kAdvantages) standardized.push_back((a - mean) / (std::sqrt(var) + 1e-8));
  const Expected e = expected_loss(f, standardized, 0.3, 0.7, 0.05);
  const Json info = policy.learn_on_batch(f.batch);
  CHECK(stat(info, "policy_loss") == doctest::Approx(e.policy_loss).epsilon(1e-4));
  CHECK(stat(info, "total_loss") == doctest::Approx(e.total).epsilon(1e-4));
}

TEST_CASE("PPO with use_critic false has no value terms") {
  auto policy = make_policy({{"use_critic", false}});
  Fixture f = make_batch(policy, kLogRatios, kAdvantages);
  const Expected e = expected_loss(f, {kAdvantages.begin(), kAdvantages.end()}, 0.3, 0.0, 0.05);
  const Json info = policy.learn_on_batch(f.batch);
  CHECK(stat(info, "total_loss") == doctest::Approx(e.total).epsilon(1e-4));
  CHECK(stat(info, "vf_loss") == 0.0);
}

TEST_CASE("a batch clipped on the pessimistic side everywhere gives a zero gradient") {
  // Ratios 1.65 with positive advantages (and 0.61 with negative ones): min() picks the clipped
  // term, which does not depend on the weights. No KL, entropy or value terms.
  auto policy = make_policy({{"use_critic", false}, {"kl_coeff", 0.0}, {"entropy_coeff", 0.0}});
  Fixture f = make_batch(policy, {0.5, -0.5, 0.5, -0.5, 0.5, -0.5}, {1.0f, -1.0f, 2.0f, -2.0f, 0.5f, -0.5f});
  const auto before = policy.get_weights();
  const Json info = policy.learn_on_batch(f.batch);
  CHECK(stat(info, "grad_gnorm") == 0.0);
  CHECK(policy.get_weights() == before);
  // One row inside the clip range: its gradient flows.
  auto inside = make_policy({{"use_critic", false}, {"kl_coeff", 0.0}, {"entropy_coeff", 0.0}});
  Fixture g = make_batch(inside, {0.5, -0.5, 0.5, -0.5, 0.5, 0.0}, {1.0f, -1.0f, 2.0f, -2.0f, 0.5f, -0.5f});
  CHECK(stat(inside.learn_on_batch(g.batch), "grad_gnorm") > 0.0);
}

TEST_CASE("KLCoeffMixin follows RLlib's update rule and is saved with the policy") {
  auto policy = make_policy({{"kl_coeff", 0.2}, {"kl_target", 0.01}});
  CHECK(policy.update_kl(0.03) == doctest::Approx(0.3));    // > 2 * target: x1.5
  CHECK(policy.update_kl(0.015) == doctest::Approx(0.3));   // within [target/2, 2 target]: kept
  CHECK(policy.update_kl(0.004) == doctest::Approx(0.15));  // < target / 2: x0.5
  auto restored = make_policy({{"kl_coeff", 0.2}});
  restored.set_state(policy.get_state());
  CHECK(restored.kl_coeff() == doctest::Approx(0.15));
  Json broken = policy.get_state();
  broken["mixins"]["kl_coeff"] = "x";
  CHECK_THROWS_AS(restored.set_state(broken), rlpp::CheckpointError);
}

TEST_CASE("entropy_coeff_schedule interpolates over the global timestep") {
  auto policy = make_policy({{"entropy_coeff_schedule", {{0, 0.1}, {1000, 0.0}}}});
  Fixture f = make_batch(policy, kLogRatios, kAdvantages);
  policy.on_global_var_update(500);
  CHECK(stat(policy.learn_on_batch(f.batch), "entropy_coeff") == doctest::Approx(0.05));
  policy.on_global_var_update(5000);
  CHECK(stat(policy.learn_on_batch(f.batch), "entropy_coeff") == doctest::Approx(0.0));
  CHECK_THROWS_AS(make_policy({{"entropy_coeff_schedule", {{10, 0.1}, {0, 0.0}}}}), rlpp::ConfigError);
}

TEST_CASE("PPO's defaults are RLlib's") {
  const Json d = rlpp::ppo::Trainer::default_config();
  CHECK(d["use_critic"] == true);
  CHECK(d["use_gae"] == true);
  CHECK(d["lambda"] == 1.0);
  CHECK(d["kl_coeff"] == 0.2);
  CHECK(d["rollout_fragment_length"] == 200);
  CHECK(d["train_batch_size"] == 4000);
  CHECK(d["sgd_minibatch_size"] == 128);
  CHECK(d["shuffle_sequences"] == true);
  CHECK(d["num_sgd_iter"] == 30);
  CHECK(d["lr"] == 5e-5);
  CHECK(d["lr_schedule"].is_null());
  CHECK(d["vf_loss_coeff"] == 1.0);
  CHECK(d["model"]["vf_share_layers"] == false);
  CHECK(d["model"]["fcnet_hiddens"] == Json::array({256, 256}));
  CHECK(d["entropy_coeff"] == 0.0);
  CHECK(d["entropy_coeff_schedule"].is_null());
  CHECK(d["clip_param"] == 0.3);
  CHECK(d["vf_clip_param"] == 10.0);
  CHECK(d["grad_clip"].is_null());
  CHECK(d["kl_target"] == 0.01);
  CHECK(d["batch_mode"] == "truncate_episodes");
  CHECK(d["observation_filter"] == "NoFilter");
  CHECK(d["advantage_normalization"] == "train_batch");
}

TEST_CASE("PPO rejects configs RLlib rejects, naming the key") {
  const auto fails = [](Json extra, const std::string& key) {
    Json c{{"env", "CartPole-v1"}};
    for (auto& [k, v] : extra.items()) c[k] = v;
    try {
      rlpp::ppo::Trainer trainer(c);
      FAIL("accepted " << extra.dump());
    } catch (const rlpp::ConfigError& e) {
      CHECK_MESSAGE(std::string(e.what()).find(key) != std::string::npos, e.what());
    }
  };
  fails({{"entropy_coeff", -0.1}}, "entropy_coeff");
  fails({{"sgd_minibatch_size", 500}, {"train_batch_size", 400}}, "sgd_minibatch_size");
  fails({{"use_gae", false}}, "use_gae");
  fails({{"use_critic", false}}, "use_critic");
  fails({{"clip_param", 0.0}}, "clip_param");
  fails({{"vf_clip_param", -1.0}}, "vf_clip_param");
  fails({{"kl_coeff", -1.0}}, "kl_coeff");
  fails({{"num_sgd_iter", 0}}, "num_sgd_iter");
  fails({{"advantage_normalization", "batch"}}, "advantage_normalization");
  fails({{"model", {{"weights_initializer", "he"}}}}, "weights_initializer");
  fails({{"clip_parm", 0.2}}, "clip_parm");  // unknown key, with a did-you-mean
  // complete_episodes without GAE is fine (returns as advantages, RLlib's use_gae false path).
  CHECK_NOTHROW(rlpp::ppo::Trainer({{"env", "CartPole-v1"}, {"use_gae", false}, {"use_critic", false},
                                    {"batch_mode", "complete_episodes"}}));
}

namespace {
Json small_trainer_config(Json extra = Json::object()) {
  Json c{{"env", "CartPole-v1"},     {"num_workers", 0},  {"rollout_fragment_length", 100}, {"train_batch_size", 200},
         {"sgd_minibatch_size", 50}, {"num_sgd_iter", 3}, {"model", {{"fcnet_hiddens", {16}}}}, {"seed", 5}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}
const Json& learner(const Json& result, const char* policy = "default_policy") {
  return result["info"]["learner"][policy]["learner_stats"];
}
}  // namespace

TEST_CASE("UpdateKL adapts kl_coeff after every train step from the step's mean KL") {
  rlpp::ppo::Trainer trainer(small_trainer_config({{"kl_target", 1e-9}, {"lr", 0.01}}));
  double expected = 0.2;
  for (int i = 0; i < 3; ++i) {
    const Json r = trainer.train();
    CHECK(learner(r)["cur_kl_coeff"].get<double>() == doctest::Approx(expected));
    const double kl = learner(r)["kl"].get<double>();
    REQUIRE(kl > 2e-9);  // any measurable KL is above 2 * kl_target
    expected *= 1.5;
  }
  auto& policy = trainer.workers().local_worker().policy("default_policy");
  CHECK(policy.get_state()["mixins"]["kl_coeff"]["kl_coeff"].get<double>() == doctest::Approx(expected));

  rlpp::ppo::Trainer lowering(small_trainer_config({{"kl_target", 1e6}}));
  lowering.train();
  CHECK(learner(lowering.train())["cur_kl_coeff"].get<double>() == doctest::Approx(0.1));
}

TEST_CASE("PPO trains discrete, multi-discrete, continuous and recurrent policies") {
  SUBCASE("Categorical: advantages standardized over the train batch") {
    rlpp::ppo::Trainer trainer(small_trainer_config());
    const Json r = trainer.train();
    CHECK(r["timesteps_total"] == 200);
    CHECK(std::isfinite(learner(r)["total_loss"].get<double>()));
  }
  SUBCASE("MultiCategorical") {
    rlpp::ppo::Trainer trainer(small_trainer_config(
        {{"env", "RandomEnv"},
         {"env_config", {{"observation_space", {{"type", "Box"}, {"low", -1.0}, {"high", 1.0}, {"shape", {3}}}},
                         {"action_space", {{"type", "MultiDiscrete"}, {"nvec", {3, 2}}}}}}}));
    const Json r = trainer.train();
    CHECK(std::isfinite(learner(r)["kl"].get<double>()));
    CHECK(learner(r)["entropy"].get<double>() > std::log(3.0));  // near log 3 + log 2 at the start
  }
  SUBCASE("DiagGaussian with free_log_std") {
    rlpp::ppo::Trainer trainer(small_trainer_config({{"env", "Pendulum-v1"}, {"model", {{"fcnet_hiddens", {16}}, {"free_log_std", true}}}}));
    const Json r = trainer.train();
    CHECK(std::isfinite(learner(r)["total_loss"].get<double>()));
  }
  SUBCASE("LSTM over sequences, advantages per minibatch") {
    rlpp::ppo::Trainer trainer(small_trainer_config(
        {{"env", "StatelessCartPole"},
         {"advantage_normalization", "minibatch"},
         {"model", {{"fcnet_hiddens", {16}}, {"use_lstm", true}, {"lstm_cell_size", 8}, {"max_seq_len", 10}}}}));
    const Json r = trainer.train();
    CHECK(std::isfinite(learner(r)["total_loss"].get<double>()));
    CHECK(learner(r)["kl"].get<double>() >= 0.0);
  }
}

TEST_CASE("a PPO trainer restored from its state continues bit-identically") {
  const auto dir = std::filesystem::temp_directory_path() / "rlpp_test_ppo_restore";
  std::filesystem::remove_all(dir);
  rlpp::ppo::Trainer a(small_trainer_config({{"kl_target", 1e-9}}));
  a.train();
  const auto checkpoint = a.save(dir);
  rlpp::ppo::Trainer b(small_trainer_config({{"kl_target", 1e-9}}));
  b.restore(checkpoint);
  const Json ra = a.train();
  const Json rb = b.train();
  CHECK(learner(ra)["total_loss"] == learner(rb)["total_loss"]);
  CHECK(learner(ra)["cur_kl_coeff"] == learner(rb)["cur_kl_coeff"]);
  CHECK(a.workers().local_worker().policy("default_policy").get_weights() ==
        b.workers().local_worker().policy("default_policy").get_weights());
  std::filesystem::remove_all(dir);
}

TEST_CASE("bootstrap_truncated_episodes: a time-limit end bootstraps V(final obs), or is terminal when false") {
  for (const bool bootstrap : {true, false}) {
    CAPTURE(bootstrap);
    rlpp::ppo::Trainer trainer(small_trainer_config({{"env", "Pendulum-v1"},
                                                      {"env_config", {{"max_episode_steps", 10}}},
                                                      {"rollout_fragment_length", 25},
                                                      {"bootstrap_truncated_episodes", bootstrap},
                                                      {"lambda", 0.95}}));
    const rlpp::SampleBatch batch = trainer.workers().local_worker().sample();
    const auto truncated = batch.values<bool>(rlpp::cols::truncateds.name);
    const auto terminated = batch.values<bool>(rlpp::cols::terminateds.name);
    const auto rewards = batch.values<float>(rlpp::cols::rewards.name);
    const auto targets = batch.values<float>(rlpp::cols::value_targets.name);
    int ends = 0;
    for (std::size_t i = 0; i < batch.count(); ++i) {
      if (!truncated[i]) continue;
      ++ends;
      CHECK(terminated[i] == !bootstrap);
      // GAE at the last step: R = r + gamma * V(final obs) when bootstrapped, r otherwise.
      if (bootstrap) CHECK(targets[i] != doctest::Approx(rewards[i]).epsilon(1e-6));
      else CHECK(targets[i] == doctest::Approx(rewards[i]).epsilon(1e-6));
    }
    CHECK(ends == 2);  // 25 steps of 10-step episodes
  }
}

TEST_CASE("PPO with rollout workers gives bit-identical weights for 1 and 2 threads") {
  const auto weights_after = [](int threads) {
    rlpp::ppo::Trainer trainer(small_trainer_config({{"num_workers", 2}, {"num_threads", threads}, {"rollout_fragment_length", 50}}));
    trainer.train();
    trainer.train();
    return trainer.workers().local_worker().policy("default_policy").get_weights();
  };
  CHECK(weights_after(1) == weights_after(2));
}

TEST_CASE("UpdateKL on a policy without a KL coefficient is an error naming the policy") {
  auto policy = rlpp::make_policy<rlpp::test::PlainPolicy>(rlpp::Space(rlpp::Box(-1.0, 1.0, {2})), rlpp::Space(rlpp::Discrete(2)),
                                                           Json{{"model", {{"fcnet_hiddens", {4}}}}});
  CHECK_THROWS_WITH_AS(policy->update_kl(0.1), doctest::Contains("has no KL coefficient"), rlpp::Error);
  auto ppo_policy = rlpp::make_policy<rlpp::ppo::Policy>(rlpp::Space(rlpp::Box(-1.0, 1.0, {2})), rlpp::Space(rlpp::Discrete(2)),
                                                         Json{{"model", {{"fcnet_hiddens", {4}}}}, {"kl_coeff", 0.2}});
  CHECK(ppo_policy->update_kl(1.0) == doctest::Approx(0.3));
}
