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

// ---- worker state: continuing bit-identically after set_state ----
namespace {
// Logs every episode callback with the whole episode, and writes every field a callback may
// write, so that the logs of two workers compare what their callbacks saw.
struct EpisodeRecorder : DefaultCallbacks {
  Json log = Json::array();
  void on_episode_start(RolloutWorker&, Episode& episode, std::size_t env_index) override {
    episode.user_data["steps"] = 0;
    episode.user_data["angles"] = Json::array();
    record("start", episode, env_index);
  }
  void on_episode_step(RolloutWorker&, Episode& episode, std::size_t env_index) override {
    episode.user_data["steps"] = episode.user_data["steps"].get<int>() + 1;
    episode.user_data["angles"].push_back(episode.last_observation_for().back());
    episode.custom_metrics["last_obs_0"] = episode.last_observation_for()[0];
    episode.hist_data["rewards"].push_back(episode.last_reward);
    record("step", episode, env_index);
  }
  void on_episode_end(RolloutWorker&, Episode& episode, std::size_t env_index) override {
    episode.media["length"] = episode.length;
    record("end", episode, env_index);
  }
  void record(const char* event, const Episode& episode, std::size_t env_index) {
    log.push_back(Json{{"event", event}, {"env_index", env_index}, {"episode", episode.get_state()}});
  }
};

Json metrics_as_json(const std::vector<RolloutMetrics>& metrics) {
  Json out = Json::array();
  for (const RolloutMetrics& m : metrics) out.push_back(detail::worker_state::metrics_json(m));
  return out;
}

// What a worker does in its next `samples` sample() calls.
struct SampledRun {
  std::vector<SampleBatch> batches;
  std::vector<Json> metrics;
  Json callbacks;
};
SampledRun sample_run(RolloutWorker& worker, EpisodeRecorder& recorder, int samples) {
  recorder.log = Json::array();
  SampledRun run;
  for (int i = 0; i < samples; ++i) {
    run.batches.push_back(worker.sample());
    run.metrics.push_back(metrics_as_json(worker.get_metrics()));
  }
  run.callbacks = recorder.log;
  return run;
}

using WorkerMaker = std::function<RolloutWorker(std::shared_ptr<DefaultCallbacks>)>;

// Worker A samples `warmup` times and saves its state; a fresh worker B (which has sampled once
// on its own) restores it, as is, through JSON text and through CBOR; then A's and B's next
// samples, metrics and callback episodes must be bit-identical. Returns A's state.
Json check_worker_continues(const WorkerMaker& make, int warmup, int samples = 3) {
  auto recorder_a = std::make_shared<EpisodeRecorder>();
  RolloutWorker a = make(recorder_a);
  for (int i = 0; i < warmup; ++i) a.sample();
  const Json state = a.get_state();
  CHECK(state["episodes_in_flight"] == true);
  const SampledRun expected = sample_run(a, *recorder_a, samples);
  REQUIRE(expected.callbacks.size() > 0);
  const std::vector<std::pair<const char*, Json>> encodings{
      {"as is", state}, {"JSON text", Json::parse(state.dump())}, {"CBOR", Json::from_cbor(Json::to_cbor(state))}};
  for (const auto& [name, encoded] : encodings) {
    CAPTURE(name);
    auto recorder_b = std::make_shared<EpisodeRecorder>();
    RolloutWorker b = make(recorder_b);
    b.sample();
    b.set_state(encoded);
    CHECK(b.get_state() == state);
    const SampledRun got = sample_run(b, *recorder_b, samples);
    for (int i = 0; i < samples; ++i) {
      CAPTURE(i);
      CHECK(got.batches[static_cast<std::size_t>(i)] == expected.batches[static_cast<std::size_t>(i)]);
      CHECK(got.metrics[static_cast<std::size_t>(i)] == expected.metrics[static_cast<std::size_t>(i)]);
    }
    CHECK(got.callbacks == expected.callbacks);
    CHECK(b.get_state() == a.get_state());
  }
  return state;
}

WorkerMaker sa_worker_maker(std::string env, Json extra) {
  return [env, extra](std::shared_ptr<DefaultCallbacks> callbacks) {
    Json config{{"num_envs_per_worker", 2}, {"rollout_fragment_length", 15}, {"seed", 21},
                {"model", {{"fcnet_hiddens", {8}}}}};
    config.merge_patch(extra);
    AnyEnv probe = make_env(env);
    return RolloutWorker(env_creator(env), policy_factory<GAEPolicy>()(probe.observation_space(), probe.action_space(), config, {}),
                         config, 0, 0, std::move(callbacks));
  };
}

bool some_episode_running(const Json& state) {
  for (const Json& e : state["in_flight"]["episodes"])
    if (e["length"].get<std::int64_t>() > 0) return true;
  return false;
}

// An env that cannot save its state (no get_state()/set_state()).
struct StatelessCounterEnv {
  int steps = 0;
  Box observation_space() const { return Box(-1000.0, 1000.0, {1}); }
  Discrete action_space() const { return Discrete(2); }
  std::array<float, 1> reset(Seed) {
    steps = 0;
    return {0.0f};
  }
  Step<std::array<float, 1>> step(std::int64_t action) {
    ++steps;
    return {{static_cast<float>(steps)}, static_cast<double>(action), false, steps % 7 == 0, {}};
  }
};
}  // namespace

TEST_CASE("worker state: a restored single-agent worker samples what the original samples, bit for bit") {
  SUBCASE("truncate_episodes") {
    const Json state = check_worker_continues(sa_worker_maker("CartPole-v1", Json::object()), 2);
    CHECK(some_episode_running(state));
  }
  SUBCASE("complete_episodes with MeanStdFilter: partial trajectories carry over") {
    const Json state = check_worker_continues(
        sa_worker_maker("CartPole-v1", {{"batch_mode", "complete_episodes"}, {"observation_filter", "MeanStdFilter"}}), 2);
    bool partial = false;
    for (const Json& b : state["in_flight"]["builders"]) partial = partial || b["count"].get<std::size_t>() > 0;
    CHECK(partial);
  }
  SUBCASE("recurrent policy (use_lstm): state_in/out and prev actions/rewards") {
    const Json lstm{{"model", {{"fcnet_hiddens", {8}}, {"use_lstm", true}, {"lstm_cell_size", 4}, {"max_seq_len", 8}}},
                    {"observation_filter", "MeanStdFilter"}};
    const Json state = check_worker_continues(sa_worker_maker("CartPole-v1", lstm), 2);
    REQUIRE(state["in_flight"]["state"].size() == 2);  // h and c
    Json complete = lstm;
    complete["batch_mode"] = "complete_episodes";
    check_worker_continues(sa_worker_maker("CartPole-v1", complete), 3);
  }
  SUBCASE("soft and hard horizons") {
    check_worker_continues(sa_worker_maker("CartPole-v1", {{"horizon", 6}, {"soft_horizon", true}}), 2);
    check_worker_continues(sa_worker_maker("CartPole-v1", {{"horizon", 6}, {"batch_mode", "complete_episodes"}}), 2);
  }
  SUBCASE("Box actions, reward clipping") {
    check_worker_continues(sa_worker_maker("Pendulum-v1", {{"clip_rewards", 2.0}, {"observation_filter", "MeanStdFilter"}}), 1);
  }
}

TEST_CASE("worker state: an env without state support makes the restored worker start fresh episodes") {
  const Json config{{"num_envs_per_worker", 2}, {"rollout_fragment_length", 10}, {"seed", 2}, {"model", {{"fcnet_hiddens", {4}}}}};
  const auto make = [&] {
    AnyEnv probe(StatelessCounterEnv{}, "StatelessCounter");
    return RolloutWorker([](const EnvContext&) { return AnyEnv(StatelessCounterEnv{}, "StatelessCounter"); },
                         policy_factory<GAEPolicy>()(probe.observation_space(), probe.action_space(), config, {}), config);
  };
  RolloutWorker a = make();
  a.sample();
  const Json state = a.get_state();
  CHECK(state["episodes_in_flight"] == false);
  CHECK(state["env"].is_null());
  CHECK_FALSE(state.contains("in_flight"));
  RolloutWorker b = make();
  b.set_state(state);
  CHECK(b.get_state() == state);
  const SampleBatch next = b.sample();
  CHECK(next[cols::unroll_id](0) == 1);
  CHECK(next[cols::t](0) == 0);  // a fresh episode
  CHECK(b.num_steps_sampled() == 40);
}

TEST_CASE("worker state: malformed states are CheckpointErrors naming the key; the worker stays as it was") {
  const WorkerMaker make = sa_worker_maker("CartPole-v1", {{"batch_mode", "complete_episodes"}});
  RolloutWorker a = make(nullptr);
  a.sample();
  const Json good = a.get_state();
  RolloutWorker b = make(nullptr);
  b.set_state(good);
  const auto refused = [&](const std::function<void(Json&)>& corrupt, const char* message) {
    Json bad = good;
    corrupt(bad);
    CHECK_THROWS_WITH_AS(b.set_state(bad), doctest::Contains(message), CheckpointError);
    CHECK(b.get_state() == good);
  };
  refused([](Json& s) { s["in_flight"]["obs"].erase(0); }, "in_flight.obs: expected 8 values (2 x 4), got 7");
  refused([](Json& s) { s["in_flight"]["builders"][1]["count"] = 1000; }, "in_flight.builders[1].rewards");
  refused([](Json& s) { s["in_flight"]["builders"][0]["obs"].push_back(0.5); }, "in_flight.builders[0].obs");
  refused([](Json& s) { s["in_flight"]["episodes"][1]["length"] = "long"; }, "in_flight.episodes[1].length");
  refused([](Json& s) { s["in_flight"]["episodes"].erase(1); }, "in_flight.episodes: expected 2 elements, got 1");
  refused([](Json& s) { s["in_flight"]["prev_rewards"][0] = 0.1; }, "float32 cannot hold exactly");
  refused([](Json& s) { s["in_flight"]["state"] = Json::array({Json::array()}); }, "in_flight.state");
  refused([](Json& s) { s["in_flight"].erase("obs"); }, "missing key 'obs'");
  refused([](Json& s) { s.erase("in_flight"); }, "missing key 'in_flight'");
  refused([](Json& s) { s["sampler"]["episode_ids"] = Json::array({0, 0, 0, 0}); }, "sampler.episode_ids");
  refused([](Json& s) { s["sampler"]["pending_metrics"] = Json::array({1}); }, "sampler.pending_metrics[0]");
  refused([](Json& s) { s["policies"]["other"] = s["policies"]["default_policy"]; }, "policy 'other' is not in this worker's policy map");
  refused([](Json& s) { s["env"]["num_envs"] = 3; }, "VectorEnv");
  refused([](Json& s) { s["env"]["envs"][1] = Json::object(); }, "sub-env 1");
  refused([](Json& s) { s["episodes_in_flight"] = 1; }, "episodes_in_flight");
  // a corrupt env state after valid policies: the policies are set back too
  refused([](Json& s) {
    for (auto& w : s["policies"]["default_policy"]["weights"]) w = 0.0;
    s["env"]["observations"] = Json::array();
  }, "observations");
  // b continues as a does
  CHECK(b.sample() == a.sample());
}

TEST_CASE("Episode state round-trips exactly, inf and NaN included, and refuses malformed values") {
  Episode e;
  e.episode_id = 42;
  e.env_index = 1;
  e.length = 3;
  e.add_agent_reward("a", "p", 0.1);
  e.add_agent_reward("b", "q", -2.5);
  e.custom_metrics["nan"] = std::nan("");
  e.custom_metrics["inf"] = -INFINITY;
  e.hist_data["h"] = {1.0 / 3.0, 2.0};
  e.user_data = {{"k", 1}};
  e.media = {{"m", "x"}};
  e.last_observation = {0.1f, INFINITY};
  e.agents["b"].policy_id = "q";
  e.agents["a"].last_action = {1.0f};
  Episode restored;
  restored.set_state(Json::parse(e.get_state().dump()));
  CHECK(restored.get_state().dump() == e.get_state().dump());
  CHECK(std::isnan(restored.custom_metrics.at("nan")));
  CHECK(restored.last_observation[1] == INFINITY);
  CHECK(restored.agent_ids() == std::vector<AgentId>{"b", "a"});  // order of appearance
  CHECK(restored.total_reward == e.total_reward);
  Json bad = e.get_state();
  bad["agent_rewards"][1][2] = "x";
  CHECK_THROWS_WITH_AS(restored.set_state(bad), doctest::Contains("agent_rewards[1]"), CheckpointError);
  CHECK(restored.episode_id == 42);  // unchanged
}
