#include <doctest/doctest.h>

#include <cmath>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/evaluation/worker_set.hpp"
#include "rlpp/policy/postprocessors.hpp"

using namespace rlpp;

namespace {
struct PGLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    return -ad::mean(dist.logp(c[cols::actions]) * c[cols::advantages]);
  }
};
using GAEPolicy = build_policy<"GAEPolicy", loss<PGLoss>, postprocess<generalized_advantages>>;

Json worker_config(Json extra = Json::object()) {
  Json config{{"num_envs_per_worker", 3}, {"rollout_fragment_length", 50}, {"seed", 11},
              {"model", {{"fcnet_hiddens", {16}}}}, {"num_workers", 0}};
  for (auto& [k, v] : extra.items()) config[k] = v;
  return config;
}

RolloutWorker cartpole_worker(Json extra = Json::object(), std::shared_ptr<DefaultCallbacks> callbacks = nullptr) {
  const Json config = worker_config(std::move(extra));
  AnyEnv probe = make_env("CartPole-v1");
  return RolloutWorker(env_creator("CartPole-v1"),
                       policy_factory<GAEPolicy>()(probe.observation_space(), probe.action_space(), config, {}), config, 0,
                       0, std::move(callbacks));
}

// The pole-angle callback of RLlib's custom-metrics example.
struct PoleAngles : DefaultCallbacks {
  void on_episode_start(RolloutWorker&, Episode& episode, std::size_t) override {
    episode.user_data["pole_angles"] = Json::array();
  }
  void on_episode_step(RolloutWorker&, Episode& episode, std::size_t) override {
    const double pole_angle = std::abs(episode.last_observation_for()[2]);
    episode.user_data["pole_angles"].push_back(pole_angle);
  }
  void on_episode_end(RolloutWorker&, Episode& episode, std::size_t) override {
    const auto angles = episode.user_data["pole_angles"].get<std::vector<double>>();
    double sum = 0.0;
    for (double a : angles) sum += a;
    episode.custom_metrics["pole_angle"] = sum / static_cast<double>(angles.size());
    episode.hist_data["pole_angles"] = angles;
  }
};
}  // namespace

TEST_CASE("truncate_episodes: rollout_fragment_length steps per sub-env, postprocessed per episode piece") {
  RolloutWorker worker = cartpole_worker();
  const SampleBatch batch = worker.sample();
  REQUIRE(batch.count() == 150);
  for (const char* column : {"obs", "new_obs", "actions", "rewards", "dones", "terminateds", "truncateds", "eps_id",
                             "t", "env_id", "action_logp", "action_prob", "action_dist_inputs", "vf_preds",
                             "advantages", "value_targets", "unroll_id", "prev_actions", "prev_rewards"})
    CHECK_MESSAGE(batch.contains(column), column);
  const auto& eps = batch[cols::eps_id];
  const auto& t = batch[cols::t];
  const auto& dones = batch[cols::dones];
  const auto obs = batch.matrix(cols::obs);
  const auto new_obs = batch.matrix(cols::new_obs);
  int episode_ends = 0;
  for (std::size_t i = 0; i + 1 < batch.count(); ++i) {
    if (eps(i) == eps(i + 1)) {
      CHECK(t(i + 1) == t(i) + 1);
      CHECK_FALSE(dones(i));
      CHECK(new_obs.row(static_cast<Eigen::Index>(i)) == obs.row(static_cast<Eigen::Index>(i + 1)));
    }
    episode_ends += dones(i) ? 1 : 0;
  }
  CHECK(episode_ends > 0);  // random CartPole episodes last ~20 steps
  // the advantages of a terminated episode's last step: r - V(s) (no bootstrap)
  for (std::size_t i = 0; i < batch.count(); ++i)
    if (batch[cols::terminateds](i))
      CHECK(batch[cols::advantages](i) == doctest::Approx(batch[cols::rewards](i) - batch[cols::vf_preds](i)));
  // the next sample continues the running episodes: a new unroll id
  const SampleBatch next = worker.sample();
  CHECK(next[cols::unroll_id](0) == batch[cols::unroll_id](0) + 1);
  CHECK(worker.num_steps_sampled() == 300);
}

TEST_CASE("complete_episodes: only whole episodes, at least the fragment size in steps") {
  RolloutWorker worker = cartpole_worker({{"batch_mode", "complete_episodes"}});
  const SampleBatch batch = worker.sample();
  CHECK(batch.count() >= 150);
  const auto& eps = batch[cols::eps_id];
  for (std::size_t i = 0; i < batch.count(); ++i) {
    const bool last_of_episode = i + 1 == batch.count() || eps(i + 1) != eps(i);
    if (last_of_episode) CHECK(batch[cols::dones](i));
  }
  CHECK(batch[cols::t](0) == 0);
}

TEST_CASE("episodes are reported with the callbacks' custom metrics") {
  RolloutWorker worker = cartpole_worker({}, std::make_shared<PoleAngles>());
  worker.sample();
  worker.sample();
  const std::vector<RolloutMetrics> episodes = worker.get_metrics();
  REQUIRE(episodes.size() > 3);
  for (const RolloutMetrics& m : episodes) {
    CHECK(m.episode_length > 0);
    CHECK(m.episode_reward == doctest::Approx(static_cast<double>(m.episode_length)));  // CartPole: +1 per step
    REQUIRE(m.custom_metrics.count("pole_angle") == 1);
    CHECK(m.custom_metrics.at("pole_angle") >= 0.0);
    CHECK(m.custom_metrics.at("pole_angle") < 0.25);
    CHECK(m.hist_data.at("pole_angles").size() == static_cast<std::size_t>(m.episode_length));
  }
  CHECK(worker.get_metrics().empty());  // drained
  const Json summary = summarize_episodes(episodes);
  CHECK(summary["episode_reward_mean"].get<double>() > 5.0);
  CHECK(summary["custom_metrics"].contains("pole_angle_mean"));
}

TEST_CASE("a hard horizon truncates episodes; a soft one cuts them without resetting the env") {
  SUBCASE("hard") {
    RolloutWorker worker = cartpole_worker({{"horizon", 5}, {"num_envs_per_worker", 1}});
    const SampleBatch batch = worker.sample();
    for (std::size_t i = 0; i < batch.count(); ++i) CHECK(batch[cols::t](i) < 5);
    bool some_truncated = false;
    for (std::size_t i = 0; i < batch.count(); ++i) some_truncated = some_truncated || batch[cols::truncateds](i);
    CHECK(some_truncated);
  }
  SUBCASE("soft") {
    RolloutWorker worker = cartpole_worker({{"horizon", 5}, {"soft_horizon", true}, {"num_envs_per_worker", 1}});
    const SampleBatch batch = worker.sample();
    for (std::size_t i = 0; i < batch.count(); ++i) CHECK(batch[cols::t](i) < 5);
  }
}

TEST_CASE("Box actions are unsquashed to the bounds before the env sees them") {
  const Json config = worker_config({{"num_envs_per_worker", 2}, {"rollout_fragment_length", 20}});
  AnyEnv probe = make_env("Pendulum-v1");
  RolloutWorker worker(env_creator("Pendulum-v1"),
                       policy_factory<GAEPolicy>()(probe.observation_space(), probe.action_space(), config, {}), config);
  // The vector env checks every action against the space: out-of-bounds would throw.
  const SampleBatch batch = worker.sample();
  CHECK(batch.count() == 40);
  CHECK(batch.column("actions").type() == ColumnType::float32);
}

TEST_CASE("mismatched spaces are refused, naming both") {
  const Json config = worker_config();
  AnyEnv pendulum = make_env("Pendulum-v1");
  CHECK_THROWS_WITH_AS(RolloutWorker(env_creator("CartPole-v1"),
                                     policy_factory<GAEPolicy>()(pendulum.observation_space(), pendulum.action_space(),
                                                                 config, {}),
                                     config),
                       doctest::Contains("observation space"), SpaceError);
}

TEST_CASE("a WorkerSet samples in parallel bit-identically for any thread count") {
  const Json config = worker_config({{"num_workers", 3}, {"observation_filter", "MeanStdFilter"}});
  auto run = [&](int threads) {
    WorkerSet workers(env_creator("CartPole-v1"), policy_factory<GAEPolicy>(), config, nullptr, threads);
    std::vector<SampleBatch> batches = workers.sample();
    workers.sync_filters();
    std::vector<SampleBatch> more = workers.sample();
    batches.insert(batches.end(), more.begin(), more.end());
    return concat_samples(std::span<const SampleBatch>(batches));
  };
  const SampleBatch one = run(1);
  const SampleBatch two = run(2);
  REQUIRE(one.count() == 2 * 3 * 150);
  CHECK(one == two);
  // workers differ from each other (own env seeds and exploration streams)
  CHECK_FALSE(one.slice(0, 150).column("actions") == one.slice(150, 300).column("actions"));
}

TEST_CASE("sync_weights gives every rollout worker the local weights and the global timestep") {
  WorkerSet workers(env_creator("CartPole-v1"), policy_factory<GAEPolicy>(), worker_config({{"num_workers", 2}}));
  std::vector<float> w = workers.local_worker().get_weights();
  for (float& x : w) x += 0.5f;
  workers.local_worker().set_weights(w);
  workers.sync_weights(1000);
  for (std::size_t i = 0; i < workers.num_remote_workers(); ++i) {
    CHECK(workers.remote_worker(i).get_weights() == w);
    CHECK(workers.remote_worker(i).policy().global_timestep() == 1000);
  }
}
