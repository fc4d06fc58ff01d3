#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "rlpp/core/rng.hpp"
#include "rlpp/execution/prioritized_replay_buffer.hpp"
#include "rlpp/execution/replay_buffer.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;

namespace {
// n timesteps numbered t = first, ...: obs [n, 2] = (t, 2t), rewards t.
SampleBatch prioritized_rows(std::size_t n, std::int64_t first = 0) {
  xt::xarray<float> obs = xt::xarray<float>::from_shape({n, 2});
  xt::xarray<float> rewards = xt::xarray<float>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = static_cast<float>(static_cast<std::int64_t>(i) + first);
    obs(i, 0) = t;
    obs(i, 1) = 2 * t;
    rewards(i) = t;
  }
  SampleBatch batch;
  batch.set(cols::obs, obs);
  batch.set(cols::rewards, rewards);
  return batch;
}

std::vector<std::int64_t> all_slots(std::size_t n) {
  std::vector<std::int64_t> slots(n);
  std::iota(slots.begin(), slots.end(), std::int64_t{0});
  return slots;
}

// How often each slot is drawn in rounds x batch draws.
std::vector<double> draw_counts(PrioritizedReplayBuffer& buffer, RandomStream& rng, int rounds, std::size_t batch) {
  std::vector<double> counts(buffer.size(), 0.0);
  for (int round = 0; round < rounds; ++round)
    for (std::int64_t slot : buffer.sample(batch, 0.4, rng).values(cols::batch_indexes))
      counts[static_cast<std::size_t>(slot)] += 1.0;
  return counts;
}

// The trees agree with the expected p^alpha of every stored slot and hold the identity elsewhere.
void check_trees(const PrioritizedReplayBuffer& buffer, const std::vector<double>& leaves) {
  double sum = 0.0, min = std::numeric_limits<double>::infinity();
  for (std::size_t slot = 0; slot < buffer.sum_tree().capacity(); ++slot) {
    if (slot < buffer.size()) {
      CHECK(buffer.sum_tree()[slot] == doctest::Approx(leaves[slot]).epsilon(1e-12));
      CHECK(buffer.min_tree()[slot] == doctest::Approx(leaves[slot]).epsilon(1e-12));
      sum += leaves[slot];
      min = std::min(min, leaves[slot]);
    } else {
      CHECK(buffer.sum_tree()[slot] == 0.0);
      CHECK(std::isinf(buffer.min_tree()[slot]));
    }
  }
  CHECK(buffer.sum_tree().sum() == doctest::Approx(sum).epsilon(1e-12));
  CHECK(buffer.min_tree().min() == doctest::Approx(min).epsilon(1e-12));
}
}  // namespace

TEST_CASE("importance weights for three items, by hand") {
  // alpha = 0.5 and priorities 1, 4, 9: p^alpha = 1, 2, 3, total 6, P = 1/6, 2/6, 3/6, N = 3.
  PrioritizedReplayBuffer buffer(3, 0.5);
  buffer.add(prioritized_rows(3));
  const std::vector<std::int64_t> slots{0, 1, 2};
  buffer.update_priorities(slots, std::vector<float>{1.0f, 4.0f, 9.0f});
  CHECK(buffer.sum_tree().sum() == doctest::Approx(6.0));
  CHECK(buffer.min_tree().min() == doctest::Approx(1.0));
  // beta = 1: N * P = 0.5, 1, 1.5; (N P)^-1 = 2, 1, 2/3; divided by the largest, 2: 1, 1/2, 1/3.
  // beta = 0.5: (N P)^-0.5 = sqrt(2), 1, sqrt(2/3); divided by sqrt(2): 1, 1/sqrt(2), 1/sqrt(3).
  // beta = 0: all 1.
  const std::vector<std::pair<double, std::vector<double>>> cases{
      {1.0, {1.0, 0.5, 1.0 / 3.0}}, {0.5, {1.0, 1.0 / std::sqrt(2.0), 1.0 / std::sqrt(3.0)}}, {0.0, {1.0, 1.0, 1.0}}};
  RandomStream rng(0);
  for (const auto& entry : cases) {
    const double beta = entry.first;
    const std::vector<double>& expected = entry.second;
    CAPTURE(beta);
    const SampleBatch& sample = buffer.sample(64, beta, rng);
    std::vector<bool> seen(3, false);
    for (std::size_t r = 0; r < sample.count(); ++r) {
      const auto slot = static_cast<std::size_t>(sample[cols::batch_indexes](r));
      seen[slot] = true;
      CHECK(sample[cols::weights](r) == doctest::Approx(expected[slot]).epsilon(1e-6));
      CHECK(sample[cols::rewards](r) == static_cast<float>(slot));  // the row of that slot
      CHECK(sample[cols::obs](r, 1) == 2.0f * static_cast<float>(slot));
    }
    CHECK(seen == std::vector<bool>{true, true, true});
  }
}

TEST_CASE("sampling frequencies are proportional to p^alpha (chi-square, fixed seed)") {
  // 8 slots with priorities 1..8, alpha 0.6: P(i) = (i+1)^0.6 / sum_k (k+1)^0.6; 200000 draws.
  PrioritizedReplayBuffer buffer(8, 0.6);
  buffer.add(prioritized_rows(8));
  const auto slots = all_slots(8);
  buffer.update_priorities(slots, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8});
  RandomStream rng(2016);
  const std::vector<double> counts = draw_counts(buffer, rng, 2000, 100);
  double total = 0.0;
  for (int i = 1; i <= 8; ++i) total += std::pow(i, 0.6);
  double chi_square = 0.0;
  for (std::size_t i = 0; i < 8; ++i) {
    const double p = std::pow(static_cast<double>(i + 1), 0.6) / total;
    const double expected = 200000 * p;
    chi_square += (counts[i] - expected) * (counts[i] - expected) / expected;
    CHECK(std::abs(counts[i] - expected) < 4.5 * std::sqrt(200000 * p * (1 - p)));  // per item, 4.5 standard errors
  }
  CHECK(chi_square < 24.32);  // chi-square 0.999 quantile, 7 degrees of freedom
}

TEST_CASE("update_priorities changes the sampling frequencies; new timesteps get the max priority") {
  // alpha 1: slot 0 with priority 100 among nine slots of priority 1 has P = 100 / 108.
  PrioritizedReplayBuffer buffer(10, 1.0);
  buffer.add(prioritized_rows(9));
  CHECK(buffer.max_priority() == 1.0);
  std::vector<float> priorities(9, 1.0f);
  priorities[0] = 100.0f;
  buffer.update_priorities(all_slots(9), priorities);
  CHECK(buffer.max_priority() == 100.0);
  RandomStream rng(3);
  std::vector<double> counts = draw_counts(buffer, rng, 200, 100);
  const double p = 100.0 / 108.0;
  CHECK(std::abs(counts[0] - 20000 * p) < 4.5 * std::sqrt(20000 * p * (1 - p)));

  // Lowering it makes slot 0 the rarest: P = 0.01 / 8.01.
  buffer.update_priorities(std::vector<std::int64_t>{0}, std::vector<float>{0.01f});
  CHECK(buffer.max_priority() == 100.0);  // the max is the largest given so far
  counts = draw_counts(buffer, rng, 200, 100);
  CHECK(counts[0] < 20000 * 0.01 / 8.01 + 4.5 * std::sqrt(20000 * 0.01 / 8.01));

  // A new timestep enters at max_priority^alpha = 100.
  buffer.add(prioritized_rows(1, 9));
  CHECK(buffer.sum_tree()[9] == 100.0);
  CHECK(buffer.min_tree().min() == doctest::Approx(0.01));
}

TEST_CASE("update_priorities_from_td_errors uses |td_error| + eps") {
  PrioritizedReplayBuffer buffer(4, 0.6);
  buffer.add(prioritized_rows(2));
  buffer.update_priorities_from_td_errors(all_slots(2), std::vector<float>{-0.5f, 0.0f}, 1e-6);
  CHECK(buffer.sum_tree()[0] == doctest::Approx(std::pow(0.5 + 1e-6, 0.6)).epsilon(1e-12));
  CHECK(buffer.sum_tree()[1] == doctest::Approx(std::pow(1e-6, 0.6)).epsilon(1e-12));
  CHECK(buffer.max_priority() == 1.0);  // 0.5 + 1e-6 < 1
}

TEST_CASE("overwriting at capacity keeps the trees consistent") {
  // Capacity 5 (trees of 8 slots); random batches and priority updates, checked against a
  // brute-force model of p^alpha per slot.
  const double alpha = 0.7;
  PrioritizedReplayBuffer buffer(5, alpha);
  std::vector<double> leaves(5, 0.0);
  double max_priority = 1.0;
  std::size_t next = 0;
  RandomStream rng(77);
  for (int step = 0; step < 60; ++step) {
    const std::size_t n = 1 + rng.below(7);  // sometimes more than the capacity
    buffer.add(prioritized_rows(n));
    for (std::size_t k = 0; k < n; ++k) leaves[(next + k) % 5] = std::pow(max_priority, alpha);
    next = (next + n) % 5;
    const SampleBatch& sample = buffer.sample(3, 0.4, rng);
    const std::vector<std::int64_t> slots(sample.values(cols::batch_indexes).begin(),
                                          sample.values(cols::batch_indexes).end());
    std::vector<float> priorities(3);
    for (float& p : priorities) p = static_cast<float>(rng.uniform(0.01, 3.0));
    buffer.update_priorities(slots, priorities);
    for (std::size_t k = 0; k < 3; ++k) {
      leaves[static_cast<std::size_t>(slots[k])] = std::pow(static_cast<double>(priorities[k]), alpha);
      max_priority = std::max(max_priority, static_cast<double>(priorities[k]));
    }
    check_trees(buffer, leaves);
  }
  CHECK(buffer.max_priority() == max_priority);

  SUBCASE("a partly filled buffer keeps the identity in its unused slots") {
    PrioritizedReplayBuffer partial(6, alpha);
    partial.add(prioritized_rows(2));
    check_trees(partial, {1.0, 1.0});
  }
}

TEST_CASE("add with per-row priorities (worker-side prioritization)") {
  PrioritizedReplayBuffer buffer(3, 1.0);
  buffer.add(prioritized_rows(4), std::vector<float>{9.0f, 2.0f, 3.0f, 4.0f});  // row 0 is overwritten by row 3
  check_trees(buffer, {4.0, 2.0, 3.0});
  CHECK(buffer.max_priority() == 1.0);  // as RLlib's add(item, weight): the max is not raised
  CHECK_THROWS_WITH_AS(buffer.add(prioritized_rows(2), std::vector<float>{1.0f}), doctest::Contains("1 priorities for a batch of 2"),
                       Error);
  CHECK_THROWS_WITH_AS(buffer.add(prioritized_rows(2), std::vector<float>{1.0f, -1.0f}),
                       doctest::Contains("priorities[1] gives the priority -1"), Error);
  CHECK(buffer.num_added() == 4);
}

TEST_CASE("bad priorities and indexes are errors that name the index and change nothing") {
  PrioritizedReplayBuffer buffer(8, 0.6);
  buffer.add(prioritized_rows(4));
  buffer.update_priorities(all_slots(4), std::vector<float>{1, 2, 3, 4});
  const double sum = buffer.sum_tree().sum();
  const std::vector<std::int64_t> slots{0, 2, 3};
  CHECK_THROWS_WITH_AS(buffer.update_priorities(slots, std::vector<float>{5.0f, 0.0f, 1.0f}),
                       doctest::Contains("priorities[1] (for index 2) gives the priority 0"), Error);
  CHECK_THROWS_WITH_AS(buffer.update_priorities(slots, std::vector<float>{5.0f, 1.0f, std::nanf("")}),
                       doctest::Contains("(for index 3) gives the priority nan"), Error);
  CHECK_THROWS_WITH_AS(buffer.update_priorities(slots, std::vector<float>{5.0f, -2.0f, 1.0f}),
                       doctest::Contains("priorities must be positive and finite"), Error);
  CHECK_THROWS_WITH_AS(
      buffer.update_priorities(slots, std::vector<float>{5.0f, 1.0f, std::numeric_limits<float>::infinity()}),
      doctest::Contains("(for index 3)"), Error);
  CHECK_THROWS_WITH_AS(buffer.update_priorities(std::vector<std::int64_t>{1, 4}, std::vector<float>{1.0f, 1.0f}),
                       doctest::Contains("indexes[1] = 4 is not a slot of the buffer's 4 timesteps"), Error);
  CHECK_THROWS_WITH_AS(buffer.update_priorities(slots, std::vector<float>{1.0f}), doctest::Contains("3 indexes and 1"),
                       Error);
  CHECK_THROWS_WITH_AS(buffer.update_priorities_from_td_errors(slots, std::vector<float>{0.0f, 0.0f, 0.0f}, 0.0),
                       doctest::Contains("td_errors[0] (for index 0) gives the priority 0"), Error);
  CHECK(buffer.sum_tree().sum() == sum);  // slot 0's 5.0 was never applied
  CHECK(buffer.max_priority() == 4.0);
}

TEST_CASE("prioritized replay errors: bad alpha or beta, sampling an empty buffer") {
  CHECK_THROWS_WITH_AS(PrioritizedReplayBuffer(4, -0.1), doctest::Contains("alpha"), ConfigError);
  CHECK_THROWS_AS(PrioritizedReplayBuffer(0, 0.6), ConfigError);
  PrioritizedReplayBuffer buffer(4, 0.6);
  RandomStream rng(0);
  CHECK_THROWS_WITH_AS(buffer.sample(2, 0.4, rng), doctest::Contains("PrioritizedReplayBuffer.sample: the buffer is empty"),
                       Error);
  buffer.add(prioritized_rows(2));
  CHECK_THROWS_WITH_AS(buffer.sample(2, -1.0, rng), doctest::Contains("beta is -1"), Error);
}

TEST_CASE("the same seed gives the same prioritized samples") {
  PrioritizedReplayBuffer a(16, 0.6), b(16, 0.6);
  a.add(prioritized_rows(12));
  b.add(prioritized_rows(12));
  std::vector<float> priorities(12);
  for (std::size_t i = 0; i < 12; ++i) priorities[i] = 0.5f + static_cast<float>(i);
  a.update_priorities(all_slots(12), priorities);
  b.update_priorities(all_slots(12), priorities);
  RandomStream rng_a(42), rng_b(42);
  for (int round = 0; round < 3; ++round) CHECK(a.sample(32, 0.4, rng_a) == b.sample(32, 0.4, rng_b));
}

TEST_CASE("warm add, sample and update_priorities allocate nothing") {
  PrioritizedReplayBuffer buffer(500, 0.6);
  const SampleBatch batch = prioritized_rows(64);
  buffer.add(batch);
  RandomStream rng(9);
  buffer.sample(32, 0.4, rng);
  std::vector<std::int64_t> slots(32);
  std::vector<float> td_errors(32);
  std::size_t rows = 0;
  const std::size_t allocations = test::count_allocations([&] {
    for (int i = 0; i < 20; ++i) {  // wraps around the ring twice
      buffer.add(batch);
      const SampleBatch& sample = buffer.sample(32, 0.4, rng);
      const auto drawn = sample.values(cols::batch_indexes);
      std::copy(drawn.begin(), drawn.end(), slots.begin());
      for (std::size_t k = 0; k < 32; ++k) td_errors[k] = sample[cols::rewards](k) - 1.5f;
      buffer.update_priorities_from_td_errors(slots, td_errors, 1e-6);
      for (float& td : td_errors) td = std::abs(td) + 0.5f;
      buffer.update_priorities(slots, td_errors);
      rows += sample.count();
    }
  });
  CHECK(allocations == 0);
  CHECK(rows == 20 * 32);
}

TEST_CASE("get_state and set_state round-trip contents, priorities and ring position exactly") {
  PrioritizedReplayBuffer buffer(6, 0.6);
  buffer.add(prioritized_rows(4));
  buffer.add(prioritized_rows(4, 4));  // wraps: next slot 2
  buffer.update_priorities(all_slots(6), std::vector<float>{0.3f, 2.5f, 1.0f, 7.0f, 0.01f, 1.25f});
  RandomStream rng(1);
  buffer.sample(10, 0.4, rng);

  const Json state = Json::parse(buffer.get_state().dump());
  PrioritizedReplayBuffer restored(6, 0.6);
  restored.set_state(state);
  CHECK(restored.get_state() == buffer.get_state());
  CHECK(restored.max_priority() == 7.0);
  CHECK(restored.sum_tree().sum() == buffer.sum_tree().sum());
  CHECK(restored.min_tree().min() == buffer.min_tree().min());
  CHECK(restored.stats() == buffer.stats());
  buffer.add(prioritized_rows(1, 50));
  restored.add(prioritized_rows(1, 50));
  RandomStream rng_a(5), rng_b(5);
  CHECK(buffer.sample(20, 0.4, rng_a) == restored.sample(20, 0.4, rng_b));

  SUBCASE("a state saved with another alpha is converted: (p^0.6)^(0.3 / 0.6) = p^0.3") {
    PrioritizedReplayBuffer other(6, 0.3);
    other.set_state(state);
    CHECK(other.sum_tree()[3] == doctest::Approx(std::pow(7.0, 0.3)).epsilon(1e-12));
  }
  SUBCASE("a uniform buffer's state gives every timestep max_priority; the reverse drops priorities") {
    ReplayBuffer uniform(6);
    uniform.add(prioritized_rows(3));
    PrioritizedReplayBuffer from_uniform(6, 0.6);
    from_uniform.set_state(uniform.get_state());
    check_trees(from_uniform, {1.0, 1.0, 1.0});
    uniform.set_state(state);
    CHECK(uniform.size() == 6);
  }
  SUBCASE("bad priorities in a state are rejected and change nothing") {
    Json broken = state;
    broken["priorities_pow_alpha"][1] = -1.0;
    CHECK_THROWS_WITH_AS(restored.set_state(broken), doctest::Contains("priorities_pow_alpha[1]"), CheckpointError);
    broken = state;
    broken["capacity"] = 7;
    CHECK_THROWS_AS(restored.set_state(broken), CheckpointError);
    CHECK(restored.get_state() == buffer.get_state());
  }
}

TEST_CASE("beta anneals linearly from prioritized_replay_beta to final_prioritized_replay_beta") {
  const auto schedule = prioritized_replay_beta_schedule(0.4, 1.0, 1000);
  CHECK(schedule.value(0) == doctest::Approx(0.4));
  CHECK(schedule.value(250) == doctest::Approx(0.55));  // 0.4 + 250 / 1000 * (1.0 - 0.4)
  CHECK(schedule.value(1000) == doctest::Approx(1.0));
  CHECK(schedule.value(1e9) == doctest::Approx(1.0));
  CHECK(prioritized_replay_beta_schedule(0.4, 1.0, 0).value(0) == doctest::Approx(1.0));
}

TEST_CASE("ReplayConfig reads RLlib's replay keys with DQN's defaults") {
  const ReplayConfig defaults = ReplayConfig::from_config(Json::object());
  CHECK(defaults.buffer_size == 50000);
  CHECK(defaults.prioritized_replay);
  CHECK(defaults.prioritized_replay_alpha == 0.6);
  CHECK(defaults.prioritized_replay_beta == 0.4);
  CHECK(defaults.final_prioritized_replay_beta == 0.4);
  CHECK(defaults.prioritized_replay_beta_annealing_timesteps == 20000);
  CHECK(defaults.prioritized_replay_eps == 1e-6);
  CHECK(defaults.learning_starts == 1000);
  CHECK(defaults.replay_batch_size == 32);

  const ReplayConfig flat = ReplayConfig::from_config(Json{{"buffer_size", 1000},
                                                           {"prioritized_replay", false},
                                                           {"final_prioritized_replay_beta", 1.0},
                                                           {"prioritized_replay_beta_annealing_timesteps", 500},
                                                           {"train_batch_size", 64},
                                                           {"lr", 0.001}});
  CHECK(flat.buffer_size == 1000);
  CHECK_FALSE(flat.prioritized_replay);
  CHECK(flat.replay_batch_size == 64);
  CHECK(flat.beta_schedule().value(250) == doctest::Approx(0.7));

  const ReplayConfig nested = ReplayConfig::from_config(
      Json{{"prioritized_replay", false},
           {"replay_buffer_config",
            {{"type", "MultiAgentPrioritizedReplayBuffer"}, {"capacity", 2000}, {"replay_batch_size", 16},
             {"prioritized_replay_alpha", 0.5}}}});
  CHECK(nested.prioritized_replay);
  CHECK(nested.buffer_size == 2000);
  CHECK(nested.replay_batch_size == 16);
  CHECK(nested.prioritized_replay_alpha == 0.5);

  CHECK_THROWS_WITH_AS(ReplayConfig::from_config(Json{{"buffer_size", 0}}), doctest::Contains("config.buffer_size"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(ReplayConfig::from_config(Json{{"prioritized_replay_alpha", -1}}),
                       doctest::Contains("config.prioritized_replay_alpha"), ConfigError);
  CHECK_THROWS_AS(ReplayConfig::from_config(Json{{"learning_starts", "soon"}}), ConfigError);
}

TEST_CASE("the docs example runs (docs/replay-buffers.md)") {
  const SampleBatch rollout = prioritized_rows(4);
  const double timestep = 0;
  std::vector<float> td_errors(32, 0.5f);
  // --- as in the docs ---
  const ReplayConfig config = ReplayConfig::from_config(Json{{"buffer_size", 50000}, {"train_batch_size", 32}});
  PrioritizedReplayBuffer buffer(config.buffer_size, config.prioritized_replay_alpha);
  const auto beta = config.beta_schedule();
  RandomStream rng(/*seed=*/0, /*worker=*/0, /*env=*/0, "replay");

  buffer.add(rollout);  // a SampleBatch of timesteps: obs, new_obs, actions, rewards, dones, ...
  if (buffer.num_added() >= config.learning_starts) {
    const SampleBatch& batch = buffer.sample(config.replay_batch_size, beta.value(timestep), rng);
    // learn on batch: scale each row's loss by batch[cols::weights], compute one td_error per row
    buffer.update_priorities_from_td_errors(batch.values(cols::batch_indexes), td_errors,
                                            config.prioritized_replay_eps);
  }
  // --- end ---
  CHECK(buffer.size() == 4);
  for (int i = 0; i < 300; ++i) buffer.add(rollout);  // past learning_starts: the branch runs
  if (buffer.num_added() >= config.learning_starts) {
    const SampleBatch& batch = buffer.sample(config.replay_batch_size, beta.value(timestep), rng);
    buffer.update_priorities_from_td_errors(batch.values(cols::batch_indexes), td_errors,
                                            config.prioritized_replay_eps);
  }
  CHECK(buffer.max_priority() == 1.0);
  CHECK(buffer.min_tree().min() == doctest::Approx(std::pow(0.5 + 1e-6, 0.6)));
}
