#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rlpp/evaluation/episode.hpp"
#include "rlpp/evaluation/metrics.hpp"
#include "support/allocation_counter.hpp"

// --- docs/rollouts.md (Episodes and metrics): begin ---
#include <iostream>

#include "rlpp/evaluation/metrics.hpp"

void report_episodes(std::ostream& out) {
  rlpp::EpisodeHistory history = rlpp::EpisodeHistory::from_config(
      rlpp::Config(rlpp::Json{{"metrics_smoothing_episodes", 3}}));

  for (int iteration = 0; iteration < 2; ++iteration) {
    std::vector<rlpp::RolloutMetrics> finished;
    for (int e = 0; e < 2; ++e) {
      rlpp::Episode episode;  // the worker steps it; a callback adds a custom metric at the end
      episode.length = 10 * (2 * iteration + e + 1);
      episode.add_agent_reward(rlpp::dummy_agent_id, "default_policy", episode.length);
      episode.custom_metrics["pole_angle"] = 0.5 * iteration;
      finished.push_back(rlpp::RolloutMetrics::from_episode(episode));
    }
    const rlpp::Json result = history.summarize(std::move(finished));
    out << result["episode_reward_mean"] << " " << result["episodes_this_iter"] << " "
        << result["custom_metrics"]["pole_angle_max"] << "\n";
  }
  // iteration 0: episodes 10, 20 -> mean 15; iteration 1: 20 (from the history), 30, 40 -> 30
}
// --- docs/rollouts.md (Episodes and metrics): end ---

using namespace rlpp;
using rlpp::test::count_allocations;

namespace {
RolloutMetrics episode(std::int64_t length, double reward) {
  RolloutMetrics m;
  m.episode_length = length;
  m.episode_reward = reward;
  return m;
}

std::set<std::string> keys_of(const Json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}
}  // namespace

TEST_CASE("The summary has RLlib's keys, and null where RLlib has NaN when no episode finished") {
  const Json result = summarize_episodes(std::span<const RolloutMetrics>());
  CHECK(keys_of(result) == std::set<std::string>{"episode_reward_max", "episode_reward_min", "episode_reward_mean",
                                                 "episode_len_mean", "episode_media", "episodes_this_iter",
                                                 "policy_reward_min", "policy_reward_max", "policy_reward_mean",
                                                 "custom_metrics", "hist_stats", "sampler_perf",
                                                 "off_policy_estimator"});
  CHECK(result["episode_reward_mean"].is_null());
  CHECK(result["episode_reward_min"].is_null());
  CHECK(result["episode_reward_max"].is_null());
  CHECK(result["episode_len_mean"].is_null());
  CHECK(result["episodes_this_iter"] == 0);
  CHECK(result["hist_stats"] == Json{{"episode_reward", Json::array()}, {"episode_lengths", Json::array()}});
  CHECK(result["custom_metrics"] == Json::object());
  CHECK(result["sampler_perf"] == Json::object());
  CHECK(result["off_policy_estimator"] == Json::object());
  CHECK(result["episode_media"] == Json::object());
  CHECK(result.dump().find("\"episode_reward_mean\":null") != std::string::npos);
}

TEST_CASE("Single-agent episodes: reward min/mean/max, mean length, histograms") {
  const std::vector<RolloutMetrics> episodes = {episode(10, 10.0), episode(20, 20.0), episode(30, 60.0)};
  const Json result = summarize_episodes(episodes);
  CHECK(result["episode_reward_min"] == 10.0);
  CHECK(result["episode_reward_max"] == 60.0);
  CHECK(result["episode_reward_mean"] == 30.0);  // (10 + 20 + 60) / 3
  CHECK(result["episode_len_mean"] == 20.0);     // (10 + 20 + 30) / 3
  CHECK(result["episodes_this_iter"] == 3);
  CHECK(result["hist_stats"]["episode_reward"] == Json{10.0, 20.0, 60.0});
  CHECK(result["hist_stats"]["episode_lengths"] == Json{10, 20, 30});
  CHECK(result["policy_reward_mean"] == Json::object());

  SUBCASE("episodes_this_iter counts new_episodes only") {
    const std::span<const RolloutMetrics> all(episodes);
    CHECK(summarize_episodes(all, all.last(1))["episodes_this_iter"] == 1);
    CHECK(summarize_episodes(all, all.last(1))["episode_reward_mean"] == 30.0);
  }
}

TEST_CASE("Multi-agent episodes: per-policy reward stats, default_policy left out as in RLlib") {
  std::vector<RolloutMetrics> episodes(2);
  episodes[0].episode_reward = 3.0;
  episodes[0].agent_rewards = {{{"a", "p0"}, 1.0}, {{"b", "p1"}, 2.0}};
  episodes[1].episode_reward = 12.0;
  episodes[1].agent_rewards = {{{"a", "p0"}, 4.0}, {{"b", "p0"}, 2.0}, {{"c", "p1"}, 6.0}, {{"d", "default_policy"}, 0.0}};
  const Json result = summarize_episodes(episodes);
  // p0: 1, 4, 2 -> min 1, mean 7 / 3, max 4; p1: 2, 6 -> min 2, mean 4, max 6
  CHECK(result["policy_reward_min"] == Json{{"p0", 1.0}, {"p1", 2.0}});
  CHECK(result["policy_reward_max"] == Json{{"p0", 4.0}, {"p1", 6.0}});
  CHECK(result["policy_reward_mean"]["p0"].get<double>() == doctest::Approx(7.0 / 3.0));
  CHECK(result["policy_reward_mean"]["p1"] == 4.0);
  // Each episode's agents in (agent, policy) order: episode 0: a/p0 1; episode 1: a/p0 4, b/p0 2.
  CHECK(result["hist_stats"]["policy_p0_reward"] == Json{1.0, 4.0, 2.0});
  CHECK(result["hist_stats"]["policy_p1_reward"] == Json{2.0, 6.0});
  CHECK_FALSE(result["hist_stats"].contains("policy_default_policy_reward"));
  CHECK(result["episode_reward_mean"] == 7.5);
}

TEST_CASE("Custom metrics become _mean/_min/_max over their non-NaN values") {
  std::vector<RolloutMetrics> episodes(3);
  const double nan = std::nan("");
  episodes[0].custom_metrics = {{"a", 1.0}, {"b", nan}};
  episodes[1].custom_metrics = {{"a", nan}, {"b", nan}};
  episodes[2].custom_metrics = {{"a", 3.0}};
  const Json custom = summarize_episodes(episodes)["custom_metrics"];
  // a: 1, 3 (NaN dropped) -> mean 2, min 1, max 3; b: nothing left -> null
  CHECK(custom == Json{{"a_mean", 2.0}, {"a_min", 1.0}, {"a_max", 3.0},
                       {"b_mean", nullptr}, {"b_min", nullptr}, {"b_max", nullptr}});

  SUBCASE("keep_custom_metrics keeps the lists instead") {
    const Json kept = summarize_episodes(episodes, /*keep_custom_metrics=*/true)["custom_metrics"];
    CHECK(kept == Json{{"a", {1.0, 3.0}}, {"b", Json::array()}});
  }
}

TEST_CASE("hist_data lists are concatenated, media collected per key, perf_stats averaged") {
  std::vector<RolloutMetrics> episodes(2);
  episodes[0].hist_data = {{"pole_angles", {0.5, -0.5}}};
  episodes[1].hist_data = {{"pole_angles", {0.25}}, {"actions", {1.0}}};
  episodes[0].media = {{"frame", "f0.png"}};
  episodes[1].media = {{"frame", "f1.png"}, {"video", "v1.mp4"}};
  episodes[0].perf_stats = {{"mean_env_wait_ms", 2.0}, {"mean_inference_ms", 1.0}};
  episodes[1].perf_stats = {{"mean_env_wait_ms", 4.0}};
  const Json result = summarize_episodes(episodes);
  CHECK(result["hist_stats"]["pole_angles"] == Json{0.5, -0.5, 0.25});
  CHECK(result["hist_stats"]["actions"] == Json{1.0});
  CHECK(result["episode_media"] == Json{{"frame", {"f0.png", "f1.png"}}, {"video", {"v1.mp4"}}});
  CHECK(result["sampler_perf"] == Json{{"mean_env_wait_ms", 3.0}, {"mean_inference_ms", 1.0}});
}

TEST_CASE("EpisodeHistory pads the new episodes with the last ones up to metrics_smoothing_episodes") {
  EpisodeHistory history(3);
  // Iteration 1: rewards 1, 2 -> window {1, 2}
  Json r = history.summarize({episode(1, 1.0), episode(1, 2.0)});
  CHECK(r["episode_reward_mean"] == 1.5);
  CHECK(r["episodes_this_iter"] == 2);
  // Iteration 2: 3, 4 are new, 1 missing -> window {2, 3, 4}, mean 3; history keeps {2, 3, 4}
  r = history.summarize({episode(1, 3.0), episode(1, 4.0)});
  CHECK(r["hist_stats"]["episode_reward"] == Json{2.0, 3.0, 4.0});
  CHECK(r["episode_reward_mean"] == 3.0);
  CHECK(r["episodes_this_iter"] == 2);
  CHECK(history.history().size() == 3);
  // Iteration 3: nothing finished -> the history alone, episodes_this_iter 0
  r = history.summarize({});
  CHECK(r["episode_reward_mean"] == 3.0);
  CHECK(r["episodes_this_iter"] == 0);
  // Iteration 4: 5 new episodes, more than 3 -> all 5 and no history: (5 + 6 + 7 + 8 + 9) / 5
  r = history.summarize({episode(1, 5.0), episode(1, 6.0), episode(1, 7.0), episode(1, 8.0), episode(1, 9.0)});
  CHECK(r["episode_reward_mean"] == 7.0);
  CHECK(r["episode_reward_min"] == 5.0);
  REQUIRE(history.history().size() == 3);
  CHECK(history.history().front().episode_reward == 7.0);
  CHECK(history.history().back().episode_reward == 9.0);

  SUBCASE("min_history comes from config.metrics_smoothing_episodes, 100 by default") {
    CHECK(EpisodeHistory().min_history() == 100);
    CHECK(EpisodeHistory::from_config(Config()).min_history() == 100);
    CHECK(EpisodeHistory::from_config(Config(Json{{"metrics_smoothing_episodes", 7}})).min_history() == 7);
    CHECK_THROWS_WITH_AS(EpisodeHistory::from_config(Config(Json{{"metrics_smoothing_episodes", -1}})),
                         "config.metrics_smoothing_episodes: expected a non-negative integer, got -1",
                         ConfigError);
  }
  SUBCASE("0 keeps no history") {
    EpisodeHistory none(0);
    none.summarize({episode(1, 1.0)});
    CHECK(none.summarize({})["episode_reward_mean"].is_null());
    CHECK(none.history().empty());
  }
}

TEST_CASE("An episode sums rewards per (agent, policy) and becomes the RolloutMetrics the worker reports") {
  Episode e;
  e.episode_id = 42;
  e.length = 3;
  e.add_agent_reward("a", "p0", 1.0);
  e.add_agent_reward("b", "p1", 2.0);
  e.add_agent_reward("a", "p0", 0.5);
  CHECK(e.total_reward == 3.5);
  CHECK(e.agent_rewards.size() == 2);
  CHECK(e.agent_rewards.at(AgentPolicyKey("a", "p0")) == 1.5);
  e.custom_metrics["x"] = 1.0;
  e.hist_data["h"] = {1.0, 2.0};
  e.media["m"] = "clip.mp4";
  e.user_data["scratch"] = 1;

  const RolloutMetrics m = RolloutMetrics::from_episode(e);
  CHECK(m.episode_length == 3);
  CHECK(m.episode_reward == 3.5);
  CHECK(m.agent_rewards == e.agent_rewards);
  CHECK(m.custom_metrics == e.custom_metrics);
  CHECK(m.hist_data == e.hist_data);
  CHECK(m.media == e.media);

  SUBCASE("adding to an existing (agent, policy) entry allocates nothing, whatever the id lengths") {
    const std::string agent = "an_agent_id_longer_than_the_small_string_buffer";
    const std::string policy = "a_policy_id_longer_than_the_small_string_buffer";
    e.add_agent_reward(agent, policy, 1.0);
    CHECK(count_allocations([&] { e.add_agent_reward(agent, policy, 1.0); }) == 0);
    CHECK(e.agent_rewards.at(AgentPolicyKey(agent, policy)) == 2.0);
  }
}

TEST_CASE("docs/rollouts.md: the metrics example runs as documented") {
  std::ostringstream out;
  report_episodes(out);
  CHECK(out.str() == "15.0 2 0.0\n30.0 2 0.5\n");
}
