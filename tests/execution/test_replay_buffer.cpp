#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rlpp/core/rng.hpp"
#include "rlpp/execution/replay_buffer.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;

namespace {
// n timesteps numbered t = first, first + 1, ...: obs [n, 3] = (t, t + 0.25, t + 0.5),
// actions t % 4 (int64), rewards -t, dones (t % 5 == 4).
SampleBatch timesteps(std::size_t n, std::int64_t first = 0) {
  xt::xarray<float> obs = xt::xarray<float>::from_shape({n, 3});
  xt::xarray<std::int64_t> actions = xt::xarray<std::int64_t>::from_shape({n});
  xt::xarray<float> rewards = xt::xarray<float>::from_shape({n});
  xt::xarray<bool> dones = xt::xarray<bool>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = static_cast<std::int64_t>(i) + first;
    for (std::size_t j = 0; j < 3; ++j) obs(i, j) = static_cast<float>(t) + 0.25f * static_cast<float>(j);
    actions(i) = t % 4;
    rewards(i) = -static_cast<float>(t);
    dones(i) = t % 5 == 4;
  }
  SampleBatch batch;
  batch.set(cols::obs, obs);
  batch.set(cols::actions, Column(actions));
  batch.set(cols::rewards, rewards);
  batch.set(cols::dones, dones);
  return batch;
}

// The timestep number of each row (from rewards), after checking every column of the row
// belongs to that same timestep.
std::vector<std::int64_t> timestep_numbers(const SampleBatch& batch) {
  std::vector<std::int64_t> numbers;
  for (std::size_t i = 0; i < batch.count(); ++i) {
    const auto t = static_cast<std::int64_t>(-batch[cols::rewards](i));
    CHECK(batch[cols::obs](i, 0) == static_cast<float>(t));
    CHECK(batch[cols::obs](i, 2) == static_cast<float>(t) + 0.5f);
    CHECK(batch[cols::actions].get<std::int64_t>()(i) == t % 4);
    CHECK(batch[cols::dones](i) == (t % 5 == 4));
    numbers.push_back(t);
  }
  return numbers;
}

// The timesteps held, in slot order (a sample of slots 0..size-1 read back through batch_indexes).
std::vector<std::int64_t> contents(ReplayBuffer& buffer) {
  RandomStream rng(99);
  std::vector<std::int64_t> by_slot(buffer.size(), -1);
  for (int round = 0; round < 50; ++round) {
    const SampleBatch& batch = buffer.sample(64, rng);
    const auto numbers = timestep_numbers(batch);
    for (std::size_t i = 0; i < batch.count(); ++i)
      by_slot[static_cast<std::size_t>(batch[cols::batch_indexes](i))] = numbers[i];
  }
  return by_slot;
}
}  // namespace

TEST_CASE("the buffer is a ring: once full, each add overwrites the oldest timesteps") {
  ReplayBuffer buffer(5);
  CHECK(buffer.capacity() == 5);
  CHECK(buffer.size() == 0);
  buffer.add(timesteps(3, 0));  // slots 0..2 = t0..t2
  CHECK(buffer.size() == 3);
  CHECK(contents(buffer) == std::vector<std::int64_t>{0, 1, 2});
  buffer.add(timesteps(4, 3));  // t3, t4 fill slots 3, 4; t5, t6 overwrite slots 0, 1
  CHECK(buffer.size() == 5);
  CHECK(buffer.num_added() == 7);
  CHECK(contents(buffer) == std::vector<std::int64_t>{5, 6, 2, 3, 4});
  buffer.add(timesteps(1, 7));  // slot 2
  CHECK(contents(buffer) == std::vector<std::int64_t>{5, 6, 7, 3, 4});
}

TEST_CASE("a batch larger than the capacity leaves its last capacity timesteps, where row-by-row adds would") {
  ReplayBuffer buffer(4);
  buffer.add(timesteps(1, 0));  // slot 0 = t0, next slot 1
  buffer.add(timesteps(10, 1));  // t1..t10 go to slots 1,2,3,0,1,2,3,0,1,2: t7..t10 survive
  CHECK(buffer.num_added() == 11);
  CHECK(contents(buffer) == std::vector<std::int64_t>{8, 9, 10, 7});
  buffer.add(timesteps(1, 11));  // next slot is 3
  CHECK(contents(buffer) == std::vector<std::int64_t>{8, 9, 10, 11});
}

TEST_CASE("sample draws rows with all their columns, plus batch_indexes and weights 1") {
  ReplayBuffer buffer(100);
  SampleBatch batch = timesteps(20);
  batch.set("infos", std::vector<Json>(20, Json{{"ok", true}}));  // json columns are stored too
  buffer.add(batch);
  RandomStream rng(1);
  const SampleBatch& sample = buffer.sample(32, rng);
  CHECK(sample.count() == 32);
  CHECK(sample.column_names() ==
        std::vector<std::string>{"actions", "batch_indexes", "dones", "infos", "obs", "rewards", "weights"});
  CHECK(sample[cols::obs].shape()[1] == 3);
  const auto numbers = timestep_numbers(sample);
  for (std::size_t i = 0; i < 32; ++i) {
    CHECK(sample[cols::batch_indexes](i) == numbers[i]);  // t_i was added to slot i
    CHECK(sample[cols::weights](i) == 1.0f);
    CHECK(sample[cols::infos][i] == Json{{"ok", true}});
  }
  CHECK(buffer.column_names() == std::vector<std::string>{"actions", "dones", "infos", "obs", "rewards"});
}

TEST_CASE("sampling is uniform over the stored timesteps") {
  // 10 slots, 100000 draws: each count is Binomial(100000, 0.1), standard error ~95.
  ReplayBuffer buffer(10);
  buffer.add(timesteps(10));
  RandomStream rng(5);
  std::vector<int> counts(10, 0);
  for (int round = 0; round < 1000; ++round) {
    const SampleBatch& sample = buffer.sample(100, rng);
    for (std::int64_t slot : sample.values(cols::batch_indexes)) ++counts[static_cast<std::size_t>(slot)];
  }
  const double expected = 10000.0, standard_error = std::sqrt(100000 * 0.1 * 0.9);
  for (int count : counts) CHECK(std::abs(count - expected) < 4.5 * standard_error);
}

TEST_CASE("the same seed gives the same samples") {
  ReplayBuffer a(50), b(50);
  a.add(timesteps(40));
  b.add(timesteps(40));
  RandomStream rng_a(123), rng_b(123), rng_c(124);
  const SampleBatch first = a.sample(16, rng_a);
  CHECK(first == b.sample(16, rng_b));
  CHECK(a.sample(16, rng_a) == b.sample(16, rng_b));
  CHECK(first != b.sample(16, rng_c));
}

TEST_CASE("stats report RLlib's counters") {
  ReplayBuffer buffer(8);
  buffer.add(timesteps(5));
  RandomStream rng(0);
  buffer.sample(3, rng);
  buffer.sample(4, rng);
  Json stats = buffer.stats();
  CHECK(stats["added_count"] == 5);
  CHECK(stats["sampled_count"] == 7);
  CHECK(stats["num_entries"] == 5);
  CHECK(stats["eviction_started"] == false);
  // A row: obs 3 floats + rewards 1 float + actions 1 int64 + dones 1 bool = 12 + 4 + 8 + 1 bytes.
  CHECK(stats["est_size_bytes"] == 5 * 25);
  buffer.add(timesteps(5, 5));
  stats = buffer.stats();
  CHECK(stats["num_entries"] == 8);
  CHECK(stats["eviction_started"] == true);
}

TEST_CASE("a later add must have the first add's columns, dtypes and row shapes") {
  ReplayBuffer buffer(10);
  buffer.add(timesteps(2));
  SUBCASE("a missing column is named") {
    SampleBatch batch = timesteps(2);
    batch.erase("dones");
    CHECK_THROWS_WITH_AS(buffer.add(batch), doctest::Contains("column 'dones': is missing from the batch"), BatchError);
  }
  SUBCASE("an extra column is named, with the buffer's columns") {
    SampleBatch batch = timesteps(2);
    batch.set("extra", xt::xarray<float>{1.0f, 2.0f});
    CHECK_THROWS_WITH_AS(buffer.add(batch),
                         doctest::Contains("column 'extra': is not one of the buffer's columns (actions, dones, obs, rewards"),
                         BatchError);
  }
  SUBCASE("another dtype is named") {
    SampleBatch batch = timesteps(2);
    batch.set(cols::actions, Column(xt::xarray<float>{1.0f, 2.0f}));
    CHECK_THROWS_WITH_AS(buffer.add(batch),
                         doctest::Contains("column 'actions': holds float32, the buffer stores int64"), BatchError);
  }
  SUBCASE("another row width is named") {
    SampleBatch batch = timesteps(2);
    batch.set(cols::obs, xt::xarray<float>::from_shape({2, 4}));
    CHECK_THROWS_WITH_AS(buffer.add(batch),
                         doctest::Contains("column 'obs': has rows of shape [4], the buffer stores rows of shape [3]"),
                         BatchError);
  }
  CHECK(buffer.size() == 2);  // a rejected batch adds nothing
}

TEST_CASE("batch_indexes and weights in an added batch are not stored; empty batches are ignored") {
  ReplayBuffer buffer(10);
  buffer.add(SampleBatch{});
  CHECK(buffer.size() == 0);
  SampleBatch batch = timesteps(3);
  batch.set(cols::weights, xt::xarray<float>{5.0f, 5.0f, 5.0f});
  batch.set(cols::batch_indexes, xt::xarray<std::int64_t>{7, 7, 7});
  buffer.add(batch);
  buffer.add(timesteps(2, 3));  // the same layout without them
  CHECK(buffer.column_names() == std::vector<std::string>{"actions", "dones", "obs", "rewards"});
  RandomStream rng(0);
  const SampleBatch& sample = buffer.sample(8, rng);
  for (std::size_t i = 0; i < 8; ++i) CHECK(sample[cols::weights](i) == 1.0f);
  CHECK(contents(buffer) == std::vector<std::int64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("replay buffer errors: zero capacity, sampling an empty buffer, batches with seq_lens") {
  CHECK_THROWS_WITH_AS(ReplayBuffer(0), doctest::Contains("the capacity is 0"), ConfigError);
  ReplayBuffer buffer(4);
  RandomStream rng(0);
  CHECK_THROWS_WITH_AS(buffer.sample(1, rng), doctest::Contains("ReplayBuffer.sample: the buffer is empty"), Error);
  SampleBatch batch = timesteps(4);
  batch.set_seq_lens({2, 2});
  CHECK_THROWS_WITH_AS(buffer.add(batch), doctest::Contains("seq_lens"), BatchError);
}

TEST_CASE("warm add and sample allocate nothing") {
  ReplayBuffer buffer(1000);
  const SampleBatch batch = timesteps(64);
  buffer.add(batch);  // allocates the storage
  RandomStream rng(2);
  buffer.sample(32, rng);  // allocates the output batch
  std::size_t rows = 0;
  const std::size_t allocations = test::count_allocations([&] {
    for (int i = 0; i < 40; ++i) {  // wraps around the ring more than twice
      buffer.add(batch);
      rows += buffer.sample(32, rng).count();
    }
  });
  CHECK(allocations == 0);
  CHECK(rows == 40 * 32);
}

TEST_CASE("get_state and set_state round-trip contents, ring position and counters exactly") {
  ReplayBuffer buffer(6);
  SampleBatch batch = timesteps(4);
  batch[cols::obs](1, 1) = 0.1f;  // a float without a short exact decimal
  batch[cols::rewards](3) = std::nextafter(-3.0f, 0.0f);
  buffer.add(batch);
  buffer.add(timesteps(3, 4));  // wraps: next slot 1
  RandomStream rng(8);
  buffer.sample(5, rng);

  const Json state = Json::parse(buffer.get_state().dump());  // through text, as a checkpoint
  ReplayBuffer restored(6);
  restored.set_state(state);
  CHECK(restored.size() == 6);
  CHECK(restored.num_added() == 7);
  CHECK(restored.stats() == buffer.stats());
  CHECK(restored.get_state() == buffer.get_state());

  // Both continue identically: the next add goes to the same slot, the same seed samples the same.
  buffer.add(timesteps(1, 100));
  restored.add(timesteps(1, 100));
  RandomStream rng_a(4), rng_b(4);
  CHECK(buffer.sample(20, rng_a) == restored.sample(20, rng_b));
  CHECK(restored.get_state() == buffer.get_state());

  SUBCASE("an empty buffer's state restores an empty buffer") {
    ReplayBuffer empty(6);
    restored.set_state(empty.get_state());
    CHECK(restored.size() == 0);
    restored.add(timesteps(2, 0));  // a new layout may be learned
    CHECK(restored.size() == 2);
  }
  SUBCASE("a state of another capacity, or an inconsistent one, is rejected and changes nothing") {
    ReplayBuffer other(7);
    CHECK_THROWS_WITH_AS(other.set_state(state), doctest::Contains("capacity 6, this buffer has capacity 7"),
                         CheckpointError);
    Json broken = state;
    broken["next_index"] = 9;
    CHECK_THROWS_AS(restored.set_state(broken), CheckpointError);
    broken = state;
    broken["size"] = 5;
    CHECK_THROWS_WITH_AS(restored.set_state(broken), doctest::Contains("do not describe a ring of capacity 6"),
                         CheckpointError);
    CHECK_THROWS_AS(restored.set_state(Json{{"type", "Something"}}), CheckpointError);
    CHECK(restored.get_state() == buffer.get_state());
  }
}

TEST_CASE("the state keeps float columns as binary: compact in CBOR, exact through CBOR and JSON text") {
  ReplayBuffer buffer(50);
  SampleBatch batch = timesteps(40);
  batch[cols::obs](7, 1) = 0.1f;
  buffer.add(batch);
  const Json state = buffer.get_state();
  const Json& obs = state["columns"]["obs"];
  CHECK(obs["dtype"] == "float32");
  CHECK(obs["shape"] == Json::array({40, 3}));
  REQUIRE(obs["data"].is_binary());
  CHECK(obs["data"].get_binary().size() == 40 * 3 * sizeof(float));
  CHECK(state["columns"]["actions"]["data"].size() == 40);  // int64 and bool: lists
  // Per timestep: 3 + 1 floats at 4 bytes, an int and a bool at 1 byte each, plus the
  // (fixed) keys; a list of numbers would cost 9 bytes per float.
  const std::size_t cbor = Json::to_cbor(state).size();
  CHECK(cbor < 40 * (4 * 4 + 2) + 300);
  for (const Json& transported : {Json::from_cbor(Json::to_cbor(state)), Json::parse(state.dump())}) {
    ReplayBuffer restored(50);
    restored.set_state(transported);
    CHECK(restored.get_state() == state);
  }
}

TEST_CASE("set_state reads the older state form (contents as SampleBatch JSON under \"storage\")") {
  ReplayBuffer buffer(6);
  const SampleBatch batch = timesteps(4);
  buffer.add(batch);
  Json legacy = buffer.get_state();
  legacy.erase("columns");
  legacy["storage"] = batch;
  ReplayBuffer restored(6);
  restored.set_state(legacy);
  CHECK(restored.get_state() == buffer.get_state());
}

TEST_CASE("corrupt columns in a state are CheckpointErrors naming the column, and change nothing") {
  ReplayBuffer buffer(6);
  buffer.add(timesteps(5));
  const Json state = buffer.get_state();
  ReplayBuffer target(6);
  target.add(timesteps(2, 50));
  const Json before = target.get_state();
  const auto rejects = [&](const Json& broken, const char* says) {
    CAPTURE(says);
    CHECK_THROWS_WITH_AS(target.set_state(broken), doctest::Contains(says), CheckpointError);
    CHECK(target.get_state() == before);
  };
  Json broken = state;
  broken["columns"]["obs"]["data"].get_binary().resize(5 * 3 * sizeof(float) + 1);
  rejects(broken, "column 'obs': holds 61 bytes, its shape [5,3] needs 60");
  broken = state;
  broken["columns"]["obs"]["data"] = Json::array({1.0, 2.0});
  rejects(broken, "column 'obs': has float32 data that is a JSON array, not binary");
  broken = state;
  broken["columns"]["rewards"]["shape"] = Json::array({4});
  rejects(broken, "column 'rewards': has the shape [4]; the buffer holds 5 timesteps");
  broken = state;
  broken["columns"]["actions"]["data"][1] = 0.5;
  rejects(broken, "column 'actions': holds 0.5 where an int64 is expected");
  broken = state;
  broken["columns"]["actions"]["dtype"] = "int8";
  rejects(broken, "column 'actions': has the unknown dtype \"int8\"");
  broken = state;
  broken["columns"]["dones"]["data"].erase(0);
  rejects(broken, "column 'dones': holds 4 values");
  broken = state;
  broken["columns"] = Json::array();
  rejects(broken, "its columns are a JSON array");
  broken = state;
  broken["columns"]["obs"] = 3;
  rejects(broken, "column 'obs': is not an object with dtype, shape and data");
}
