// Execution-plan operators without workers: pipeline mechanics (|, for_each, batch, flatten,
// not-ready pulls, state), ConcatBatches, SelectExperiences, StandardizeFields,
// AverageGradients, Concurrently's round robin, MixInReplay, the multi-agent replay buffer.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "rlpp/execution/all.hpp"

using namespace rlpp;

namespace {

// A source node counting 0, 1, 2, ...; every `gap`-th pull (gap > 0) has nothing ready.
struct CountingSource {
  using item_type = int;
  int next_value = 0;
  int gap = 0;
  int pulls = 0;
  std::optional<int> next() {
    ++pulls;
    if (gap > 0 && pulls % gap == 0) return std::nullopt;
    return next_value++;
  }
  Json get_state() const { return Json{{"next", next_value}, {"pulls", pulls}}; }
  void set_state(const Json& s) {
    next_value = s.at("next").get<int>();
    pulls = s.at("pulls").get<int>();
  }
};

// A MultiAgentBatch of `rows` env steps with policy batches {id: rows rows of obs = first, first+1, ...}.
MultiAgentBatch plan_ops_batch(std::size_t rows, std::vector<std::string> ids = {"default_policy"}, float first = 0.0f) {
  MultiAgentBatch out;
  out.env_steps = rows;
  for (const auto& id : ids) {
    xt::xarray<float> obs = xt::xarray<float>::from_shape({rows});
    xt::xarray<float> adv = xt::xarray<float>::from_shape({rows});
    for (std::size_t i = 0; i < rows; ++i) {
      obs(i) = first + static_cast<float>(i);
      adv(i) = 2.0f * static_cast<float>(i) + 1.0f;
    }
    SampleBatch b;
    b.set(cols::obs, obs);
    b.set(cols::advantages, adv);
    out.policy_batches.emplace(id, std::move(b));
  }
  return out;
}

template <class Node>
std::vector<typename Node::item_type> pull_ready(Node& node, int pulls) {
  std::vector<typename Node::item_type> out;
  for (int i = 0; i < pulls; ++i)
    if (auto v = node.next()) out.push_back(std::move(*v));
  return out;
}

}  // namespace

TEST_CASE("pipeline: | composes stages into one node type, pulled lazily") {
  auto plan = CountingSource{} | for_each([](int x) { return x * 10; }) |
              for_each([](int x) -> std::optional<int> { return x % 20 == 0 ? std::optional<int>(x) : std::nullopt; });
  static_assert(plan_node<decltype(plan)>);
  CHECK(pull_ready(plan, 6) == std::vector<int>{0, 20, 40});

  auto batched = CountingSource{} | batch(3);
  CHECK(pull_ready(batched, 6) == std::vector<std::vector<int>>{{0, 1, 2}, {3, 4, 5}});
  auto flat = CountingSource{} | batch(2) | flatten();
  CHECK(pull_ready(flat, 5) == std::vector<int>{0, 1, 2});  // pulls 1 and 4 were still batching
  CHECK_THROWS_AS(batch(0), ConfigError);
}

TEST_CASE("pipeline: not-ready pulls pass through; state round trips") {
  auto plan = CountingSource{.gap = 3} | for_each([](int x) { return x + 100; });
  CHECK(plan.next() == 100);
  CHECK(plan.next() == 101);
  CHECK_FALSE(plan.next().has_value());
  CHECK(plan.next() == 102);
  const Json state = plan_state(plan);
  auto other = CountingSource{.gap = 3} | for_each([](int x) { return x + 100; });
  set_plan_state(other, state);
  for (int i = 0; i < 5; ++i) CHECK(plan.next() == other.next());
  CHECK_THROWS_AS(set_plan_state(other, Json::array({1})), CheckpointError);
}

TEST_CASE("ConcatBatches emits once min_batch_size steps are collected, overshooting like RLlib") {
  auto plan = for_each([](MultiAgentBatch b) { return b; });
  (void)plan;
  auto concat = ConcatBatches(250);
  auto fn = std::move(concat.f);
  CHECK_FALSE(fn(plan_ops_batch(100)).has_value());
  CHECK_FALSE(fn(plan_ops_batch(0)).has_value());  // empty batches are ignored
  CHECK_FALSE(fn(plan_ops_batch(100)).has_value());
  const Json held = fn.get_state();
  CHECK(held.size() == 2);
  const auto out = fn(plan_ops_batch(100));
  REQUIRE(out.has_value());
  CHECK(out->count() == 300);
  CHECK(out->policy("default_policy").count() == 300);
  CHECK(fn.get_state().empty());
  fn.set_state(held);  // restoring the held batches
  CHECK(fn(plan_ops_batch(50)).value().count() == 250);
  // agent steps: two policies' rows count twice
  auto by_agent = ConcatBatches(300, "agent_steps").f;
  CHECK(by_agent(plan_ops_batch(150, {"a", "b"})).value().agent_steps() == 300);
  CHECK_THROWS_AS(ConcatBatches(0), ConfigError);
  CHECK_THROWS_AS(ConcatBatches(10, "steps"), ConfigError);
}

TEST_CASE("SelectExperiences keeps the listed policies; StandardizeFields standardizes per policy") {
  const MultiAgentBatch selected = SelectExperiences({"a"}).f(plan_ops_batch(4, {"a", "b"}));
  CHECK(selected.contains("a"));
  CHECK_FALSE(selected.contains("b"));
  CHECK(selected.count() == 4);

  MultiAgentBatch standardized = StandardizeFields({"advantages"}).f(plan_ops_batch(4, {"a"}));
  const auto adv = standardized.policy("a").values<float>("advantages");
  // advantages 1, 3, 5, 7: mean 4, population std sqrt(5)
  CHECK(adv[0] == doctest::Approx(-3.0 / std::sqrt(5.0)));
  CHECK(adv[3] == doctest::Approx(3.0 / std::sqrt(5.0)));
  std::vector<float> constant{2.0f, 2.0f};
  standardize_column(constant);  // std 0 -> divided by 1e-4 after centering
  CHECK(constant[0] == 0.0f);
  CHECK_THROWS_WITH_AS(StandardizeFields({"value_targets"}).f(plan_ops_batch(2)), doctest::Contains("value_targets"), BatchError);
}

TEST_CASE("AverageGradients sums gradients and counts, as RLlib's") {
  GradientsItem a, b;
  a.gradients["p"] = {1.0f, 2.0f};
  a.count = 10;
  b.gradients["p"] = {0.5f, -1.0f};
  b.count = 20;
  const GradientsItem sum = AverageGradients().f({a, b});
  CHECK(sum.gradients.at("p") == std::vector<float>{1.5f, 1.0f});
  CHECK(sum.count == 30);
  b.gradients["p"] = {1.0f};
  CHECK_THROWS_AS(AverageGradients().f({a, b}), Error);
}

TEST_CASE("Concurrently round robin: weights, output_indexes, not-ready branches") {
  {
    auto both = Concurrently({.round_robin_weights = {1, 2}}, CountingSource{.next_value = 0}, CountingSource{.next_value = 100});
    CHECK(pull_ready(both, 6) == std::vector<int>{0, 100, 101, 1, 102, 103});
  }
  {
    auto second_only = Concurrently({.output_indexes = {1}}, CountingSource{}, CountingSource{.next_value = 100});
    CHECK(pull_ready(second_only, 3) == std::vector<int>{100, 101, 102});
  }
  {  // "*": as many as are ready
    auto star = Concurrently({.round_robin_weights = {-1, 1}}, CountingSource{.gap = 3}, CountingSource{.next_value = 100});
    CHECK(pull_ready(star, 5) == std::vector<int>{0, 1, 100, 2, 3});
  }
  {  // different item types: a variant indexed by branch
    auto mixed = Concurrently({}, CountingSource{}, CountingSource{} | for_each([](int x) { return std::to_string(x); }));
    auto first = mixed.next();
    auto second = mixed.next();
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    CHECK(std::get<0>(*first) == 0);
    CHECK(std::get<1>(*second) == "0");
  }
  {  // state round trip
    auto a = Concurrently({.round_robin_weights = {1, 3}}, CountingSource{}, CountingSource{.next_value = 100});
    pull_ready(a, 3);
    auto b = Concurrently({.round_robin_weights = {1, 3}}, CountingSource{}, CountingSource{.next_value = 100});
    set_plan_state(b, plan_state(a));
    for (int i = 0; i < 7; ++i) CHECK(a.next() == b.next());
  }
  CHECK_THROWS_AS(Concurrently({.output_indexes = {2}}, CountingSource{}, CountingSource{}), ConfigError);
  CHECK_THROWS_AS(Concurrently({.round_robin_weights = {1}}, CountingSource{}, CountingSource{}), ConfigError);
  CHECK_THROWS_AS(Concurrently({.round_robin_weights = {-1, -1}}, CountingSource{}, CountingSource{}), ConfigError);
  CHECK_THROWS_AS(Concurrently({.mode = ConcurrencyMode::async, .round_robin_weights = {1, 2}}, CountingSource{}, CountingSource{}),
                  ConfigError);
}

TEST_CASE("MixInReplay replays replay_proportion batches per input on average") {
  auto fn = MixInReplay(4, 1.5, 7).f;
  std::size_t outputs = 0;
  const int inputs = 4000;
  for (int i = 0; i < inputs; ++i) {
    const auto out = fn(plan_ops_batch(1, {"default_policy"}, static_cast<float>(i)));
    CHECK(out.front().policy("default_policy").values<float>("obs")[0] == static_cast<float>(i));  // the input comes first
    outputs += out.size();
  }
  const double replayed_per_input = static_cast<double>(outputs - inputs) / inputs;
  CHECK(replayed_per_input == doctest::Approx(1.5).epsilon(0.05));
  CHECK_THROWS_AS(MixInReplay(0, 0.5), ConfigError);
}

TEST_CASE("MultiAgentReplayBuffer: nothing before learning_starts, then a batch per policy") {
  ReplayConfig config;
  config.buffer_size = 100;
  config.learning_starts = 30;
  config.replay_batch_size = 8;
  config.prioritized_replay = false;
  MultiAgentReplayBuffer buffer(config, 1);
  buffer.add(plan_ops_batch(20, {"a", "b"}));
  CHECK_FALSE(buffer.replay(20).has_value());
  buffer.add(plan_ops_batch(20, {"a", "b"}));
  const auto replayed = buffer.replay(40);
  REQUIRE(replayed.has_value());
  CHECK(replayed->policy("a").count() == 8);
  CHECK(replayed->policy("b").count() == 8);
  // state round trip: the same samples afterwards
  MultiAgentReplayBuffer copy(config, 99);
  copy.set_state(buffer.get_state());
  CHECK(buffer.replay(40)->policy("a").values<float>("obs")[0] == copy.replay(40)->policy("a").values<float>("obs")[0]);

  config.prioritized_replay = true;
  MultiAgentReplayBuffer prioritized(config, 1);
  prioritized.add(plan_ops_batch(40, {"a"}));
  const auto sampled = prioritized.replay(40);
  REQUIRE(sampled.has_value());
  CHECK(sampled->policy("a").contains("weights"));
  std::vector<std::int64_t> idx(sampled->policy("a").values<std::int64_t>("batch_indexes").begin(),
                                sampled->policy("a").values<std::int64_t>("batch_indexes").end());
  std::vector<float> prio(idx.size(), 5.0f);
  prioritized.update_priorities("a", idx, prio);
  CHECK_THROWS_AS(prioritized.update_priorities("zzz", idx, prio), Error);
}

TEST_CASE("MultiAgentReplayBuffer with replay shards (Ape-X): round robin, shard-tagged indexes, priorities routed") {
  ReplayConfig config;
  config.buffer_size = 100;
  config.learning_starts = 20;
  config.replay_batch_size = 4;
  config.num_shards = 2;
  MultiAgentReplayBuffer buffer(config, 3);
  CHECK(buffer.shard_capacity() == 50);
  buffer.add(plan_ops_batch(10, {"a"}, 0.0f));    // shard 0: obs 0..9
  buffer.add(plan_ops_batch(10, {"a"}, 100.0f));  // shard 1: obs 100..109
  const auto first = buffer.replay(0);
  const auto second = buffer.replay(0);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  for (float obs : first->policy("a").values<float>("obs")) CHECK(obs < 10.0f);
  for (float obs : second->policy("a").values<float>("obs")) CHECK(obs >= 100.0f);
  // Shard 1's indexes are offset by the shard capacity; priorities go back to that shard.
  const auto idx1 = second->policy("a").values<std::int64_t>("batch_indexes");
  for (std::int64_t i : idx1) CHECK((i >= 50 && i < 60));
  std::vector<std::int64_t> indexes(idx1.begin(), idx1.end());
  const std::vector<float> td(indexes.size(), 3.0f);
  buffer.update_priorities_from_td_errors("a", indexes, td);
  CHECK(buffer.stats().contains("a/shard_1"));
  // Indexes of two shards in one update are an error.
  std::vector<std::int64_t> mixed = {indexes.front(), 1};
  CHECK_THROWS_AS(buffer.update_priorities("a", mixed, std::vector<float>{1.0f, 1.0f}), Error);
  // The state round trip keeps the shards and the round robin.
  MultiAgentReplayBuffer copy(config, 99);
  copy.set_state(buffer.get_state());
  CHECK(buffer.replay(0)->policy("a").values<float>("obs")[0] == copy.replay(0)->policy("a").values<float>("obs")[0]);
  ReplayConfig one = config;
  one.num_shards = 1;
  MultiAgentReplayBuffer unsharded(one, 1);
  CHECK_THROWS_AS(unsharded.set_state(buffer.get_state()), CheckpointError);
  // Read from the config: optimizer.num_replay_buffer_shards; more shards than slots is an error.
  CHECK(ReplayConfig::from_config(Json{{"optimizer", {{"num_replay_buffer_shards", 4}}}}).num_shards == 4);
  CHECK_THROWS_AS(ReplayConfig::from_config(Json{{"buffer_size", 2}, {"optimizer", {{"num_replay_buffer_shards", 4}}}}), ConfigError);
}
