#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/evaluation/heuristic_policy.hpp"
#include "rlpp/evaluation/worker_set.hpp"
#include "rlpp/policy/postprocessors.hpp"

using namespace rlpp;

namespace {
struct MaPGLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    return -ad::mean(dist.logp(c[cols::actions]) * c[cols::advantages]);
  }
};
// RLlib's PG: the policy-gradient loss on discounted returns.
using MaPG = build_policy<"MaPG", loss<MaPGLoss>, postprocess<discounted_returns>>;
using MaGAE = build_policy<"MaGAE", loss<MaPGLoss>, postprocess<generalized_advantages>>;

// RLlib's AlwaysSameHeuristic as a policy: the move is drawn at an episode's first step and kept
// in the recurrent state (-1: not drawn yet), so every agent and episode has its own.
struct AlwaysSamePolicy : HeuristicPolicy<AlwaysSamePolicy> {
  AlwaysSamePolicy(const Space& obs, const Space& act, const Json& config, const PolicyContext& context)
      : HeuristicPolicy(obs, act, config, context, {nn::Matrix::Constant(1, 1, -1.0f)}) {}
  void compute_heuristic_actions(const nn::Matrix& obs, std::span<const nn::Matrix> state, ComputedActions& out) override {
    for (Eigen::Index r = 0; r < obs.rows(); ++r) {
      float move = state[0](r, 0);
      if (move < 0.0f) move = static_cast<float>(rng().below(3));
      out.actions(r, 0) = move;
      out.state_out[0](r, 0) = move;
    }
  }
};

// RLlib's BeatLastHeuristic: the move that beats the opponent's last one (the one-hot obs).
struct BeatLastPolicy : HeuristicPolicy<BeatLastPolicy> {
  using HeuristicPolicy::HeuristicPolicy;
  void compute_heuristic_actions(const nn::Matrix& obs, std::span<const nn::Matrix>, ComputedActions& out) override {
    for (Eigen::Index r = 0; r < obs.rows(); ++r) {
      Eigen::Index last = 0;
      obs.row(r).maxCoeff(&last);
      out.actions(r, 0) = static_cast<float>((last + 1) % 3);  // rock -> paper -> scissors -> rock
    }
  }
};

// Always action 0 (push left on CartPole): the smallest heuristic.
struct PushLeftPolicy : HeuristicPolicy<PushLeftPolicy> {
  using HeuristicPolicy::HeuristicPolicy;
  void compute_heuristic_actions(const nn::Matrix&, std::span<const nn::Matrix>, ComputedActions& out) override {
    out.actions.setZero();
  }
};

Json ma_config(Json extra = Json::object()) {
  Json config{{"num_envs_per_worker", 2}, {"rollout_fragment_length", 25}, {"seed", 5},
              {"model", {{"fcnet_hiddens", {16}}}}, {"num_workers", 0}, {"env_config", {{"num_agents", 2}}}};
  for (auto& [k, v] : extra.items()) config[k] = v;
  return config;
}

RolloutWorker cartpole_ma_worker(Json extra = Json::object(), MultiAgentSpec spec = {}) {
  return RolloutWorker(env_source("MultiAgentCartPole").multi_agent(), policy_factory<MaGAE>(), ma_config(std::move(extra)),
                       std::move(spec));
}

std::set<std::int64_t> distinct_values(const SampleBatch& batch, const ColumnKey<std::int64_t>& key) {
  std::set<std::int64_t> out;
  for (std::size_t i = 0; i < batch.count(); ++i) out.insert(batch[key](i));
  return out;
}

MultiAgentBatch concat_ma(std::vector<MultiAgentBatch> batches) {
  return concat_samples(std::span<const MultiAgentBatch>(batches));
}
}  // namespace

TEST_CASE("multi-agent: without a multiagent config every agent maps to default_policy") {
  RolloutWorker worker = cartpole_ma_worker();
  CHECK(worker.is_multi_agent());
  CHECK(worker.policy_ids() == std::vector<std::string>{"default_policy"});
  const MultiAgentBatch batch = worker.sample_multi_agent();
  REQUIRE(batch.policy_batches.size() == 1);
  const SampleBatch& b = batch.policy(default_policy_id);
  CHECK(batch.env_steps == 50);  // 25 steps x 2 sub-envs
  CHECK(b.count() == batch.agent_steps());
  CHECK(b.count() > 50);  // both agents act while their poles stand
  CHECK(distinct_values(b, cols::agent_index) == std::set<std::int64_t>{0, 1});
  CHECK(distinct_values(b, cols::env_id) == std::set<std::int64_t>{0, 1});
  CHECK(b.contains("advantages"));
}

TEST_CASE("multi-agent: a pattern mapping fn puts agent i in policy p<i>; batches are grouped by policy") {
  RolloutWorker worker = cartpole_ma_worker({{"multiagent", {{"policies", {"p0", "p1"}}, {"policy_mapping_fn", "p{agent_id}"}}}});
  CHECK(worker.policy_ids() == std::vector<std::string>{"p0", "p1"});
  CHECK(worker.policies_to_train() == std::vector<std::string>{"p0", "p1"});
  CHECK(&worker.policy("p0") != &worker.policy("p1"));
  const MultiAgentBatch batch = worker.sample_multi_agent();
  REQUIRE(batch.policy_batches.size() == 2);
  CHECK(distinct_values(batch.policy("p0"), cols::agent_index) == std::set<std::int64_t>{0});
  CHECK(distinct_values(batch.policy("p1"), cols::agent_index) == std::set<std::int64_t>{1});
  CHECK(batch.env_steps == 50);
  CHECK(batch.agent_steps() == batch.policy("p0").count() + batch.policy("p1").count());
  CHECK(batch.agent_steps() <= 2 * batch.env_steps);
  // per agent, t counts its own steps in the episode and new_obs continues into the next obs
  const SampleBatch& b = batch.policy("p0");
  const auto obs = b.matrix(cols::obs);
  const auto new_obs = b.matrix(cols::new_obs);
  bool some_done = false;
  for (std::size_t i = 0; i + 1 < b.count(); ++i) {
    some_done = some_done || b[cols::dones](i);
    if (b[cols::eps_id](i) == b[cols::eps_id](i + 1) && b[cols::env_id](i) == b[cols::env_id](i + 1)) {
      CHECK(b[cols::t](i + 1) == b[cols::t](i) + 1);
      CHECK(new_obs.row(static_cast<Eigen::Index>(i)) == obs.row(static_cast<Eigen::Index>(i + 1)));
    }
  }
  CHECK(some_done);
  // episodes: reward summed per (agent, policy); total = sum; policy_reward_* per policy
  worker.sample_multi_agent();
  const std::vector<RolloutMetrics> episodes = worker.get_metrics();
  REQUIRE(!episodes.empty());
  for (const RolloutMetrics& m : episodes) {
    REQUIRE(m.agent_rewards.size() == 2);
    const double r0 = m.agent_rewards.at({"0", "p0"}), r1 = m.agent_rewards.at({"1", "p1"});
    CHECK(m.episode_reward == doctest::Approx(r0 + r1));
    CHECK(m.episode_length == static_cast<std::int64_t>(std::max(r0, r1)));  // CartPole: +1 per step until it leaves
  }
  const Json summary = summarize_episodes(episodes);
  CHECK(summary["policy_reward_mean"].contains("p0"));
  CHECK(summary["policy_reward_mean"].contains("p1"));
  CHECK(summary["hist_stats"]["policy_p1_reward"].size() == episodes.size());
}

TEST_CASE("multi-agent: count_steps_by agent_steps counts the fragment in agent steps") {
  SUBCASE("truncate_episodes") {
    RolloutWorker worker = cartpole_ma_worker({{"num_envs_per_worker", 1}, {"rollout_fragment_length", 30},
                                               {"multiagent", {{"count_steps_by", "agent_steps"}}}});
    CHECK(worker.counts_agent_steps());
    const MultiAgentBatch batch = worker.sample_multi_agent();
    CHECK(batch.agent_steps() >= 30);
    CHECK(batch.agent_steps() <= 31);  // one env step adds at most 2
    CHECK(batch.env_steps < 30);
  }
  SUBCASE("complete_episodes") {
    RolloutWorker worker = cartpole_ma_worker({{"batch_mode", "complete_episodes"},
                                               {"multiagent", {{"count_steps_by", "agent_steps"}}}});
    const MultiAgentBatch batch = worker.sample_multi_agent();
    const SampleBatch& b = batch.policy(default_policy_id);
    CHECK(b.count() >= 50);
    CHECK(b[cols::t](0) == 0);
    std::int64_t episode_steps = 0;
    for (const RolloutMetrics& m : worker.get_metrics()) episode_steps += m.episode_length;
    CHECK(static_cast<std::int64_t>(batch.env_steps) == episode_steps);
    // every agent's trajectory ends done
    for (std::size_t i = 0; i < b.count(); ++i) {
      const bool last = i + 1 == b.count() || b[cols::eps_id](i + 1) != b[cols::eps_id](i) ||
                        b[cols::agent_index](i + 1) != b[cols::agent_index](i);
      if (last) CHECK(b[cols::dones](i));
    }
  }
}

TEST_CASE("multi-agent: policies_to_train, per-policy config overrides and C++ specs") {
  MultiAgentSpec spec;
  spec.policies["learned"] = PolicySpec{};
  spec.policies["fixed"] = PolicySpec{policy_factory<PushLeftPolicy>(), std::nullopt, std::nullopt, Json::object()};
  spec.policy_mapping_fn = [](const AgentId& agent, const Episode&, const RolloutWorker&) {
    return agent == "0" ? std::string("learned") : std::string("fixed");
  };
  RolloutWorker worker = cartpole_ma_worker(
      {{"multiagent", {{"policies_to_train", {"learned"}}, {"policies", {{"learned", {{"lr", 0.5}}}}}}}}, std::move(spec));
  CHECK(worker.policies_to_train() == std::vector<std::string>{"learned"});
  CHECK(worker.is_policy_to_train("learned"));
  CHECK_FALSE(worker.is_policy_to_train("fixed"));
  CHECK(worker.policy("learned").config().json()["lr"].get<double>() == 0.5);
  CHECK(worker.policy("fixed").get_weights().empty());
  const MultiAgentBatch batch = worker.sample_multi_agent();
  CHECK(batch.contains("learned"));
  CHECK(batch.contains("fixed"));
  CHECK(batch.policy("fixed").column("actions").get<std::int64_t>() == xt::zeros<std::int64_t>({batch.policy("fixed").count()}));
}

TEST_CASE("multi-agent config errors name the key") {
  CHECK_THROWS_WITH_AS(cartpole_ma_worker({{"multiagent", {{"policies", {"p0", "p1"}}}}}),
                       doctest::Contains("known policy ids: 'p0', 'p1'"), ConfigError);
  CHECK_THROWS_WITH_AS(cartpole_ma_worker({{"multiagent", {{"policies", {"p0", "p1"}}, {"policy_mapping_fn", "p{agent_id}"},
                                                           {"policies_to_train", {"p2"}}}}}),
                       doctest::Contains("multiagent.policies_to_train"), ConfigError);
  CHECK_THROWS_WITH_AS(cartpole_ma_worker({{"multiagent", {{"count_steps_by", "agent_step"}}}}),
                       doctest::Contains("count_steps_by"), ConfigError);
  CHECK_THROWS_WITH_AS(cartpole_ma_worker({{"multiagent", {{"policy_mapping_fn", "nope"}}}}),
                       doctest::Contains("unknown policy mapping function 'nope'"), ConfigError);
  CHECK_THROWS_WITH_AS(cartpole_ma_worker({{"multiagent", {{"polices", {"p0"}}}}}),
                       doctest::Contains("multiagent.polices"), ConfigError);
  // a policy no agent maps to, with no spaces given
  CHECK_THROWS_WITH_AS(cartpole_ma_worker({{"multiagent", {{"policies", {"default_policy", "spare"}}}}}),
                       doctest::Contains("spare"), ConfigError);
}

TEST_CASE("multi-agent: named mapping fns from the registry and tables") {
  register_policy_mapping_fn("all_to_shared", [](const AgentId&, const Episode&, const RolloutWorker&) { return std::string("shared"); });
  RolloutWorker by_name = cartpole_ma_worker({{"multiagent", {{"policies", {"shared"}}, {"policy_mapping_fn", "all_to_shared"}}}});
  CHECK(by_name.sample_multi_agent().contains("shared"));
  RolloutWorker by_table = cartpole_ma_worker(
      {{"multiagent", {{"policies", {"a", "b"}}, {"policy_mapping_fn", {{"0", "b"}, {"1", "a"}}}}}});
  const MultiAgentBatch batch = by_table.sample_multi_agent();
  CHECK(distinct_values(batch.policy("a"), cols::agent_index) == std::set<std::int64_t>{1});
}

TEST_CASE("multi-agent WorkerSet samples bit-identically for any thread count") {
  const Json config = ma_config({{"num_workers", 3}, {"observation_filter", "MeanStdFilter"},
                                 {"multiagent", {{"policies", {"p0", "p1"}}, {"policy_mapping_fn", "p{agent_id}"}}}});
  auto run = [&](int threads) {
    WorkerSet workers(env_source("MultiAgentCartPole"), policy_factory<MaGAE>(), config, nullptr, threads);
    CHECK(workers.local_worker().is_multi_agent());
    std::vector<MultiAgentBatch> batches = workers.sample_multi_agent();
    workers.sync_filters();
    workers.sync_weights();
    std::vector<MultiAgentBatch> more = workers.sample_multi_agent();
    batches.insert(batches.end(), more.begin(), more.end());
    return concat_ma(std::move(batches));
  };
  const MultiAgentBatch one = run(1);
  const MultiAgentBatch two = run(2);
  CHECK(one.env_steps == 2 * 3 * 50);
  CHECK(one == two);
}

TEST_CASE("multi-agent: RockPaperScissors heuristics behave as RLlib's") {
  MultiAgentSpec spec;
  spec.policies["beat_last"] = PolicySpec{policy_factory<BeatLastPolicy>(), {}, {}, Json::object()};
  spec.policies["always_same"] = PolicySpec{policy_factory<AlwaysSamePolicy>(), {}, {}, Json::object()};
  RolloutWorker worker(env_source("RockPaperScissors").multi_agent(), nullptr,
                       Json{{"num_envs_per_worker", 3}, {"rollout_fragment_length", 40}, {"seed", 1},
                            {"multiagent", {{"policy_mapping_fn", {{"player1", "beat_last"}, {"player2", "always_same"}}}}}},
                       std::move(spec));
  const MultiAgentBatch batch = worker.sample_multi_agent();
  // always_same never changes its move within an episode
  const SampleBatch& same = batch.policy("always_same");
  const auto& moves = same.column("actions").get<std::int64_t>();
  for (std::size_t i = 0; i + 1 < same.count(); ++i)
    if (same[cols::eps_id](i) == same[cols::eps_id](i + 1)) CHECK(moves(i) == moves(i + 1));
  // beat_last wins every step but the first: 9 + (-1, 0 or 1) per episode
  const std::vector<RolloutMetrics> episodes = worker.get_metrics();
  REQUIRE(episodes.size() == 12);
  for (const RolloutMetrics& m : episodes) {
    CHECK(m.episode_length == 10);
    CHECK(m.agent_rewards.at({"player1", "beat_last"}) >= 8.0);
    CHECK(m.episode_reward == 0.0);  // zero-sum
  }
}

TEST_CASE("multi-agent: a PG policy learns to beat always_same at RockPaperScissors") {
  // RLlib's rock_paper_scissors_multiagent.py, learned policy vs. the always_same heuristic.
  MultiAgentSpec spec;
  spec.policies["learned"] = PolicySpec{};
  spec.policies["always_same"] = PolicySpec{policy_factory<AlwaysSamePolicy>(), {}, {}, Json::object()};
  spec.policy_mapping_fn = [](const AgentId& agent, const Episode&, const RolloutWorker&) {
    return agent == "player1" ? std::string("learned") : std::string("always_same");
  };
  const Json config{{"num_workers", 2}, {"num_envs_per_worker", 4}, {"rollout_fragment_length", 20}, {"seed", 3},
                    {"lr", 0.03}, {"gamma", 0.9}, {"model", {{"fcnet_hiddens", {16}}}},
                    {"multiagent", {{"policies_to_train", {"learned"}}}}};
  WorkerSet workers(env_source("RockPaperScissors"), policy_factory<MaPG>(), config, nullptr, 0, std::move(spec));
  EpisodeHistory history(40);
  double reward = 0.0;
  for (int iteration = 0; iteration < 40; ++iteration) {
    const MultiAgentBatch batch = concat_ma(workers.sample_multi_agent());
    for (const std::string& id : workers.local_worker().policies_to_train())
      workers.local_worker().policy(id).learn_on_batch(batch.policy(id));
    workers.sync_weights();
    reward = history.summarize(workers.collect_metrics())["policy_reward_mean"]["learned"].get<double>();
    if (iteration > 10 && reward > 6.0) break;
  }
  MESSAGE("learned policy's mean reward per episode: " << reward);
  CHECK(reward > 5.0);  // random play: 0; perfect: about 9.3
}

TEST_CASE("worker state carries policies, filters, the episode-id stream, counters and running episodes") {
  SUBCASE("multi-agent") {
    const Json extra{{"observation_filter", "MeanStdFilter"},
                     {"multiagent", {{"policies", {"p0", "p1"}}, {"policy_mapping_fn", "p{agent_id}"}}}};
    RolloutWorker a = cartpole_ma_worker(extra);
    a.sample_multi_agent();
    std::vector<float> w = a.policy("p1").get_weights();
    for (float& x : w) x *= 0.5f;
    a.policy("p1").set_weights(w);
    a.sample_multi_agent();
    const Json state = a.get_state();
    CHECK(state["episodes_in_flight"] == true);
    REQUIRE(state["in_flight"]["sub_envs"].size() == 2);
    RolloutWorker b = cartpole_ma_worker(extra);
    b.set_state(Json::parse(state.dump()));  // survives JSON text
    CHECK(b.get_state() == state);
    CHECK(b.policy("p1").get_weights() == w);
    CHECK(b.num_steps_sampled() == a.num_steps_sampled());
    const MultiAgentBatch next = b.sample_multi_agent();  // the running episodes go on, as do the unroll ids
    CHECK(next.policy("p0")[cols::unroll_id](0) == 2);
    CHECK(next == a.sample_multi_agent());
  }
  SUBCASE("single-agent") {
    const Json config{{"num_envs_per_worker", 2}, {"rollout_fragment_length", 20}, {"seed", 4},
                      {"observation_filter", "MeanStdFilter"}, {"model", {{"fcnet_hiddens", {8}}}}};
    auto make = [&] {
      AnyEnv probe = make_env("CartPole-v1");
      return RolloutWorker(env_creator("CartPole-v1"),
                           policy_factory<MaGAE>()(probe.observation_space(), probe.action_space(), config, {}), config);
    };
    RolloutWorker a = make();
    a.sample();
    const Json state = a.get_state();
    RolloutWorker b = make();
    b.set_state(state);
    CHECK(b.get_state() == state);
    CHECK(b.filter().get_state()["rs"]["n"].get<std::int64_t>() > 0);
    const SampleBatch next = b.sample();
    CHECK(next[cols::unroll_id](0) == 1);
    CHECK(next == a.sample());
  }
}

namespace {
// Logs every episode callback of a multi-agent worker with the whole episode, after writing the
// fields callbacks may write.
struct MaEpisodeRecorder : DefaultCallbacks {
  Json log = Json::array();
  void on_episode_start(RolloutWorker&, Episode& episode, std::size_t env_index) override {
    episode.user_data["agents_seen"] = Json::array();
    ma_record("start", episode, env_index);
  }
  void on_episode_step(RolloutWorker&, Episode& episode, std::size_t env_index) override {
    episode.user_data["agents_seen"].push_back(episode.agents.size());
    episode.custom_metrics["total"] = episode.total_reward;
    for (const AgentId& id : episode.agent_ids()) {
      std::string key = "reward_";
      key += id;
      episode.hist_data[key].push_back(episode.last_reward_for(id));
    }
    ma_record("step", episode, env_index);
  }
  void on_episode_end(RolloutWorker&, Episode& episode, std::size_t env_index) override {
    episode.media["agents"] = episode.agent_ids();
    ma_record("end", episode, env_index);
  }
  void ma_record(const char* event, const Episode& episode, std::size_t env_index) {
    log.push_back(Json{{"event", event}, {"env_index", env_index}, {"episode", episode.get_state()}});
  }
};

struct MaSampledRun {
  std::vector<MultiAgentBatch> batches;
  Json metrics = Json::array();
  Json callbacks;
};
MaSampledRun ma_sample_run(RolloutWorker& worker, MaEpisodeRecorder& recorder, int samples) {
  recorder.log = Json::array();
  MaSampledRun run;
  for (int i = 0; i < samples; ++i) {
    run.batches.push_back(worker.sample_multi_agent());
    Json metrics = Json::array();
    for (const RolloutMetrics& m : worker.get_metrics()) metrics.push_back(detail::worker_state::metrics_json(m));
    run.metrics.push_back(std::move(metrics));
  }
  run.callbacks = recorder.log;
  return run;
}

using MaWorkerMaker = std::function<RolloutWorker(std::shared_ptr<DefaultCallbacks>)>;

// Worker A samples `warmup` times and saves its state; fresh workers B (each having sampled
// once on its own) restore it as is, through JSON text and through CBOR; A's and B's next
// samples, metrics and callback episodes must then be bit-identical. Returns A's state.
Json check_ma_worker_continues(const MaWorkerMaker& make, int warmup, int samples = 3) {
  auto recorder_a = std::make_shared<MaEpisodeRecorder>();
  RolloutWorker a = make(recorder_a);
  for (int i = 0; i < warmup; ++i) a.sample_multi_agent();
  const Json state = a.get_state();
  CHECK(state["episodes_in_flight"] == true);
  const MaSampledRun expected = ma_sample_run(a, *recorder_a, samples);
  REQUIRE(expected.callbacks.size() > 0);
  const std::vector<std::pair<const char*, Json>> encodings{
      {"as is", state}, {"JSON text", Json::parse(state.dump())}, {"CBOR", Json::from_cbor(Json::to_cbor(state))}};
  for (const auto& [name, encoded] : encodings) {
    CAPTURE(name);
    auto recorder_b = std::make_shared<MaEpisodeRecorder>();
    RolloutWorker b = make(recorder_b);
    b.sample_multi_agent();
    b.set_state(encoded);
    CHECK(b.get_state() == state);
    const MaSampledRun got = ma_sample_run(b, *recorder_b, samples);
    for (std::size_t i = 0; i < got.batches.size(); ++i) {
      CAPTURE(i);
      CHECK(got.batches[i] == expected.batches[i]);
      CHECK(got.metrics[i] == expected.metrics[i]);
    }
    CHECK(got.callbacks == expected.callbacks);
    CHECK(b.get_state() == a.get_state());
  }
  return state;
}

MaWorkerMaker ma_cartpole_maker(Json extra) {
  return [extra](std::shared_ptr<DefaultCallbacks> callbacks) {
    Json config = ma_config({{"rollout_fragment_length", 15}});
    config.merge_patch(extra);
    return RolloutWorker(env_source("MultiAgentCartPole").multi_agent(), policy_factory<MaGAE>(), config, {}, 0, 0,
                         std::move(callbacks));
  };
}

// Two agents taking turns: only the agent to move observes; the mover is rewarded by its
// action, the other a little for waiting, so a slot often holds an action waiting for its next
// observation (and rewards gathered meanwhile) when a sample ends. Episodes last 9 moves.
struct TakeTurnsEnv {
  struct State {
    std::int64_t moves = 0;
  };
  State state;
  std::vector<AgentId> agent_ids() const { return {"a", "b"}; }
  Space observation_space(const AgentId&) const { return Box(0.0, 100.0, {1}); }
  Space action_space(const AgentId&) const { return Discrete(2); }
  AgentDict<std::array<float, 1>> reset(Seed) {
    state = {};
    return {{"a", {0.0f}}};
  }
  MultiAgentStep<std::array<float, 1>> step(const AgentDict<std::int64_t>& actions) {
    ++state.moves;
    const bool a_moved = actions.contains("a");
    const AgentId mover = a_moved ? "a" : "b", waiting = a_moved ? "b" : "a";
    const std::int64_t action = *actions.find(mover);
    const bool over = state.moves >= 9;
    MultiAgentStep<std::array<float, 1>> result;
    result.observations = {{waiting, {static_cast<float>(state.moves)}}};
    result.rewards = {{mover, action == 1 ? 1.0 : -0.5}, {waiting, 0.25}};
    result.terminateds = {{std::string(all_agents), over}};
    result.truncateds = {{std::string(all_agents), false}};
    return result;
  }
  State get_state() const { return state; }
  void set_state(const State& s) { state = s; }
};

MaWorkerMaker take_turns_maker(Json extra) {
  return [extra](std::shared_ptr<DefaultCallbacks> callbacks) {
    Json config{{"num_envs_per_worker", 2}, {"rollout_fragment_length", 4}, {"seed", 8}, {"model", {{"fcnet_hiddens", {4}}}},
                {"multiagent", {{"policies", {"pa", "pb"}}, {"policy_mapping_fn", "p{agent_id}"}}}};
    config.merge_patch(extra);
    return RolloutWorker([](const EnvContext&) { return AnyMultiAgentEnv(TakeTurnsEnv{}, "TakeTurns"); },
                         policy_factory<MaGAE>(), config, {}, 0, 0, std::move(callbacks));
  };
}

bool some_slot_pending(const Json& state) {
  for (const Json& sub : state["in_flight"]["sub_envs"])
    for (const Json& slot : sub["slots"])
      if (slot["pending"] == true) return true;
  return false;
}
}  // namespace

TEST_CASE("worker state: a restored multi-agent worker samples what the original samples, bit for bit") {
  const Json two_policies{{"multiagent", {{"policies", {"p0", "p1"}}, {"policy_mapping_fn", "p{agent_id}"}}}};
  SUBCASE("truncate_episodes, a policy per agent, MeanStdFilter") {
    Json extra = two_policies;
    extra["observation_filter"] = "MeanStdFilter";
    const Json state = check_ma_worker_continues(ma_cartpole_maker(extra), 2);
    CHECK(state["in_flight"]["sub_envs"][0]["slots"].size() == 2);
    CHECK(state["in_flight"]["sub_envs"][0]["slots"][1]["policy"] == "p1");
  }
  SUBCASE("complete_episodes: per-agent partial trajectories carry over") {
    const Json state = check_ma_worker_continues(ma_cartpole_maker({{"batch_mode", "complete_episodes"}}), 2);
    bool partial = false;
    for (const Json& sub : state["in_flight"]["sub_envs"])
      for (const Json& slot : sub["slots"]) partial = partial || slot["builder"]["count"].get<std::size_t>() > 0;
    CHECK(partial);
    check_ma_worker_continues(
        ma_cartpole_maker({{"batch_mode", "complete_episodes"}, {"multiagent", {{"count_steps_by", "agent_steps"}}}}), 1);
  }
  SUBCASE("count_steps_by agent_steps") {
    check_ma_worker_continues(ma_cartpole_maker({{"multiagent", {{"count_steps_by", "agent_steps"}}}}), 3);
  }
  SUBCASE("soft and hard horizons") {
    check_ma_worker_continues(ma_cartpole_maker({{"horizon", 7}, {"soft_horizon", true}}), 2);
    check_ma_worker_continues(ma_cartpole_maker({{"horizon", 7}}), 2);
  }
  SUBCASE("recurrent policies: use_lstm, and a heuristic keeping its move in its state") {
    Json lstm = two_policies;
    lstm["model"] = {{"fcnet_hiddens", {8}}, {"use_lstm", true}, {"lstm_cell_size", 4}, {"max_seq_len", 8}};
    check_ma_worker_continues(ma_cartpole_maker(lstm), 2);
    const MaWorkerMaker rps = [](std::shared_ptr<DefaultCallbacks> callbacks) {
      MultiAgentSpec spec;
      spec.policies["learned"] = PolicySpec{};
      spec.policies["always_same"] = PolicySpec{policy_factory<AlwaysSamePolicy>(), {}, {}, Json::object()};
      return RolloutWorker(env_source("RockPaperScissors").multi_agent(), policy_factory<MaGAE>(),
                           Json{{"num_envs_per_worker", 2}, {"rollout_fragment_length", 7}, {"seed", 1},
                                {"model", {{"fcnet_hiddens", {4}}}},
                                {"multiagent", {{"policy_mapping_fn", {{"player1", "learned"}, {"player2", "always_same"}}}}}},
                           std::move(spec), 0, 0, std::move(callbacks));
    };
    const Json state = check_ma_worker_continues(rps, 2);
    CHECK(state["in_flight"]["sub_envs"][0]["slots"][1]["state"][0][0].get<float>() >= 0.0f);  // a move was drawn
  }
  SUBCASE("turn-taking agents: actions waiting for their next observation") {
    const Json state = check_ma_worker_continues(take_turns_maker(Json::object()), 1, 4);
    CHECK(some_slot_pending(state));
    check_ma_worker_continues(take_turns_maker({{"batch_mode", "complete_episodes"}}), 2, 3);
  }
}

TEST_CASE("worker state: malformed multi-agent states are CheckpointErrors; the worker stays as it was") {
  const MaWorkerMaker make = take_turns_maker(Json::object());
  RolloutWorker a = make(nullptr);
  a.sample_multi_agent();
  const Json good = a.get_state();
  REQUIRE(some_slot_pending(good));
  RolloutWorker b = make(nullptr);
  b.set_state(good);
  const auto refused = [&](const std::function<void(Json&)>& corrupt, const char* message) {
    Json bad = good;
    corrupt(bad);
    CHECK_THROWS_WITH_AS(b.set_state(bad), doctest::Contains(message), CheckpointError);
    CHECK(b.get_state() == good);
  };
  refused([](Json& s) { s["in_flight"]["sub_envs"].erase(1); }, "in_flight.sub_envs: expected 2 elements, got 1");
  refused([](Json& s) { s["in_flight"]["sub_envs"][0]["slots"][0]["policy"] = "pc"; },
          "in_flight.sub_envs[0].slots[0].policy: policy 'pc' is not in this worker's policy map");
  refused([](Json& s) { s["in_flight"]["sub_envs"][0]["slots"][0]["obs"] = Json::array({1.0, 2.0}); },
          "in_flight.sub_envs[0].slots[0].obs");
  refused([](Json& s) { s["in_flight"]["sub_envs"][1]["slots"][0]["prev_action"] = Json::array(); },
          "in_flight.sub_envs[1].slots[0].prev_action");
  refused([](Json& s) { s["in_flight"]["sub_envs"][0]["slots"][0]["builder"]["t"].push_back(3); },
          "in_flight.sub_envs[0].slots[0].builder.t");
  refused([](Json& s) { s["in_flight"]["sub_envs"][0]["slots"].push_back(s["in_flight"]["sub_envs"][0]["slots"][0]); },
          "has two slots");
  refused([](Json& s) { s["in_flight"]["sub_envs"][0]["episode"]["agents"] = 3; },
          "in_flight.sub_envs[0].episode.agents");
  refused([](Json& s) { s["in_flight"]["sub_envs"][0]["episode"]["env_index"] = 1; },
          "in_flight.sub_envs[0].episode.env_index");
  refused([](Json& s) { s["env"][1]["env"] = "Other"; }, "Other");
  refused([](Json& s) { s["env"] = Json::array(); }, "sub-envs");
  CHECK(b.sample_multi_agent() == a.sample_multi_agent());
}

TEST_CASE("worker state: multi-agent envs without state support restart episodes after set_state") {
  // TakeTurnsEnv without get_state()/set_state()
  struct PlainTurns : TakeTurnsEnv {
    void get_state() = delete;
  };
  const auto make = [] {
    return RolloutWorker([](const EnvContext&) { return AnyMultiAgentEnv(PlainTurns{}, "PlainTurns"); }, policy_factory<MaGAE>(),
                         Json{{"num_envs_per_worker", 1}, {"rollout_fragment_length", 4}, {"seed", 8},
                              {"model", {{"fcnet_hiddens", {4}}}}});
  };
  RolloutWorker a = make();
  CHECK_FALSE(a.multi_agent_env(0).supports_state());
  a.sample_multi_agent();
  const Json state = a.get_state();
  CHECK(state["episodes_in_flight"] == false);
  CHECK(state["env"].is_null());
  RolloutWorker b = make();
  b.set_state(state);
  const MultiAgentBatch next = b.sample_multi_agent();
  CHECK(next.policy(default_policy_id)[cols::t](0) == 0);
  CHECK(next.policy(default_policy_id)[cols::unroll_id](0) == 1);
}

TEST_CASE("WorkerSet state covers the local and every rollout worker") {
  const Json config = ma_config({{"num_workers", 2}});
  WorkerSet a(env_source("MultiAgentCartPole"), policy_factory<MaGAE>(), config, nullptr, 1);
  a.sample_multi_agent();
  const Json state = a.get_state();
  CHECK(state["remote"].size() == 2);
  WorkerSet b(env_source("MultiAgentCartPole"), policy_factory<MaGAE>(), config, nullptr, 1);
  b.set_state(state);
  CHECK(b.get_state() == state);
  WorkerSet c(env_source("MultiAgentCartPole"), policy_factory<MaGAE>(), ma_config({{"num_workers", 1}}), nullptr, 1);
  CHECK_THROWS_AS(c.set_state(state), CheckpointError);
}
