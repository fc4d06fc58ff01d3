// MultiAgentReplayBuffer::get_state / set_state (what store_buffer_in_checkpoints saves): a
// fresh buffer given the state of a used one (uniform, prioritized, sharded; through CBOR as in
// a checkpoint, and through JSON text) replays the same batches with the same importance
// weights and keeps the same priorities afterwards; mismatched or corrupt states are
// CheckpointErrors naming what is wrong, and leave the buffer as it was.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "rlpp/core/rng.hpp"
#include "rlpp/execution/replay_ops.hpp"

// Not an anonymous namespace: the module's tests are one unity translation unit.
namespace replay_state_test {

using namespace rlpp;

// `rows` env steps for each of policies a and b: obs [rows, 3] of arbitrary floats (no short
// exact decimals), actions int64, rewards, dones bool and infos json, all derived from `stream`.
MultiAgentBatch steps(std::size_t rows, RandomStream& stream) {
  MultiAgentBatch out;
  out.env_steps = rows;
  for (const char* id : {"a", "b"}) {
    xt::xarray<float> obs = xt::xarray<float>::from_shape({rows, std::size_t{3}});
    xt::xarray<std::int64_t> actions = xt::xarray<std::int64_t>::from_shape({rows});
    xt::xarray<float> rewards = xt::xarray<float>::from_shape({rows});
    xt::xarray<bool> dones = xt::xarray<bool>::from_shape({rows});
    std::vector<Json> infos;
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t j = 0; j < 3; ++j) obs(i, j) = static_cast<float>(stream.normal());
      actions(i) = static_cast<std::int64_t>(stream.below(5));
      rewards(i) = static_cast<float>(stream.uniform(-1.0, 1.0));
      dones(i) = stream.bernoulli(0.1);
      infos.push_back(Json{{"step", stream.below(1000)}});
    }
    SampleBatch b;
    b.set(cols::obs, obs);
    b.set(cols::actions, Column(actions));
    b.set(cols::rewards, rewards);
    b.set(cols::dones, dones);
    b.set(cols::infos.name, Column(std::move(infos)));
    out.policy_batches.emplace(id, std::move(b));
  }
  return out;
}

ReplayConfig config(bool prioritized, std::size_t shards) {
  ReplayConfig c;
  c.buffer_size = 48;  // 48 / shards slots per shard: the adds below wrap every ring
  c.learning_starts = 30;
  c.replay_batch_size = 8;
  c.prioritized_replay = prioritized;
  c.prioritized_replay_beta = 0.4;
  c.final_prioritized_replay_beta = 1.0;
  c.prioritized_replay_beta_annealing_timesteps = 200;  // beta changes from step to step
  c.num_shards = shards;
  return c;
}

// One train step's worth of use: replay at `timestep`, then new priorities for each policy
// from the replayed rows (as UpdatePriorities would from TD errors).
std::optional<MultiAgentBatch> use(MultiAgentReplayBuffer& buffer, std::int64_t timestep) {
  std::optional<MultiAgentBatch> replayed = buffer.replay(timestep);
  if (!replayed) return replayed;
  for (const auto& [id, b] : replayed->policy_batches) {
    const auto indexes = b.values<std::int64_t>(cols::batch_indexes.name);
    const auto rewards = b.values<float>(cols::rewards.name);
    std::vector<float> td(rewards.begin(), rewards.end());
    for (float& x : td) x = 3.0f * x + 0.01f * static_cast<float>(timestep);
    buffer.update_priorities_from_td_errors(id, std::vector<std::int64_t>(indexes.begin(), indexes.end()), td);
  }
  return replayed;
}

// A buffer after 100 env steps added (every ring wrapped) and 6 replays with priority updates.
MultiAgentReplayBuffer used_buffer(const ReplayConfig& c, RandomStream& data) {
  MultiAgentReplayBuffer buffer(c, 7);
  for (int k = 0; k < 10; ++k) {
    buffer.add(steps(10, data));
    (void)use(buffer, 10 * k);
  }
  return buffer;
}

}  // namespace replay_state_test

TEST_CASE("MultiAgentReplayBuffer: a fresh buffer given a used one's state continues bit-identically") {
  using namespace replay_state_test;
  struct Variant {
    const char* name;
    bool prioritized;
    std::size_t shards;
  };
  for (const Variant v : {Variant{"uniform", false, 1}, Variant{"prioritized", true, 1},
                          Variant{"prioritized, 3 shards", true, 3}, Variant{"uniform, 2 shards", false, 2}}) {
    for (const char* transport : {"CBOR", "JSON text"}) {
      CAPTURE(v.name);
      CAPTURE(transport);
      const ReplayConfig c = config(v.prioritized, v.shards);
      RandomStream data(11);
      MultiAgentReplayBuffer original = used_buffer(c, data);
      const Json saved = original.get_state();
      const Json state = std::string(transport) == "CBOR" ? Json::from_cbor(Json::to_cbor(saved)) : Json::parse(saved.dump());
      MultiAgentReplayBuffer restored(c, 99);  // another seed: only the state can make it agree
      restored.set_state(state);
      CHECK(restored.get_state() == saved);
      CHECK(restored.stats() == original.stats());
      CHECK(restored.num_added() == original.num_added());

      // The same replayed rows, importance weights and indexes; the same priorities after the
      // updates; new adds land in the same slots.
      RandomStream more_a(12), more_b(12);
      for (int k = 0; k < 6; ++k) {
        const auto from_original = use(original, 100 + 10 * k);
        const auto from_restored = use(restored, 100 + 10 * k);
        REQUIRE(from_original.has_value());
        REQUIRE(from_restored.has_value());
        CHECK(*from_original == *from_restored);
        if (k % 2 == 1) {
          original.add(steps(5, more_a));
          restored.add(steps(5, more_b));
        }
      }
      CHECK(restored.get_state() == original.get_state());
      if (v.prioritized) CHECK(restored.stats() == original.stats());  // max_priority included
    }
  }
}

TEST_CASE("MultiAgentReplayBuffer state: the replay stream and counters are part of it") {
  using namespace replay_state_test;
  const ReplayConfig c = config(true, 2);
  RandomStream data(3);
  MultiAgentReplayBuffer original = used_buffer(c, data);
  const Json state = original.get_state();
  CHECK(state["type"] == "MultiAgentReplayBuffer");
  CHECK(state["added"] == 100);
  CHECK(state["shards"].size() == 2);
  CHECK(state["shards"][1]["b"]["type"] == "PrioritizedReplayBuffer");
  // Same contents, another replay stream: other rows (so the round trip above is not vacuous).
  Json other_stream = state;
  other_stream["rng"] = Json::array({1u, 2u, 3u, 4u});
  MultiAgentReplayBuffer same_contents(c, 7);
  same_contents.set_state(other_stream);
  MultiAgentReplayBuffer restored(c, 7);
  restored.set_state(state);
  CHECK(*restored.replay(100) != *same_contents.replay(100));
  // The learning_starts count is restored: a buffer whose state says fewer steps waits.
  Json few = state;
  few["added"] = 10;
  restored.set_state(few);
  CHECK_FALSE(restored.replay(100).has_value());
  CHECK(restored.num_added() == 10);
}

TEST_CASE("MultiAgentReplayBuffer.set_state rejects mismatched and corrupt states, naming the problem, and changes nothing") {
  using namespace replay_state_test;
  const ReplayConfig c = config(true, 2);
  RandomStream data(5);
  MultiAgentReplayBuffer source = used_buffer(c, data);
  const Json good = source.get_state();

  RandomStream own_data(6);
  MultiAgentReplayBuffer target = used_buffer(c, own_data);  // holds other timesteps
  const Json before = target.get_state();
  const auto rejects = [&](const Json& state, const std::string& says) {
    CAPTURE(says);
    CHECK_THROWS_WITH_AS(target.set_state(state), doctest::Contains(says.c_str()), CheckpointError);
    CHECK(target.get_state() == before);
  };
  rejects(Json::array(), "\"shards\"");
  rejects(Json{{"type", "ReplayBuffer"}, {"shards", Json::array()}}, "type");

  ReplayConfig unsharded = config(true, 1);
  MultiAgentReplayBuffer one_shard(unsharded, 1);
  CHECK_THROWS_WITH_AS(one_shard.set_state(good), doctest::Contains("2 shards, this buffer 1"), CheckpointError);
  ReplayConfig bigger = c;
  bigger.buffer_size = 60;
  MultiAgentReplayBuffer other_capacity(bigger, 1);
  CHECK_THROWS_WITH_AS(other_capacity.set_state(good), doctest::Contains("capacity 24, this buffer has capacity 30"),
                       CheckpointError);

  Json broken = good;
  broken["next_replay"] = 2;
  rejects(broken, "next_replay");
  broken = good;
  broken["added"] = -1;
  rejects(broken, "'added'");
  broken = good;
  broken["rng"] = Json::array({1, 2, 3});
  rejects(broken, "replay stream");
  broken = good;
  broken["shards"][1] = 4;
  rejects(broken, "shard 1");
  // A bad policy buffer in the last shard, after the first shard's buffers were read: still
  // nothing changes.
  broken = good;
  broken["shards"][1]["b"]["size"] = 23;
  rejects(broken, "policy 'b', shard 1");
  broken = good;
  auto& obs = broken["shards"][1]["a"]["columns"]["obs"]["data"].get_binary();
  obs.pop_back();
  rejects(broken, "column 'obs'");
  broken = good;
  broken["shards"][0]["a"]["columns"]["dones"]["data"][0] = 3;
  rejects(broken, "where a bool is expected");
  broken = good;
  broken["shards"][0]["b"]["priorities_pow_alpha"][2] = -1.0;
  rejects(broken, "priorities_pow_alpha[2]");

  // Still usable, and exactly as before the failed restores: it replays what a twin restored
  // from `before` replays.
  MultiAgentReplayBuffer twin(c, 1);
  twin.set_state(before);
  for (int k = 0; k < 3; ++k) {
    const auto a = use(target, 200 + k), b = use(twin, 200 + k);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(*a == *b);
  }
  // And a good state is then accepted.
  target.set_state(good);
  CHECK(target.get_state() == good);
}
