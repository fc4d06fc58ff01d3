#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "rlpp/data/sample_batch.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;

namespace {
// n rows: obs [n, 2] = (10r, 10r + 1), actions r % 3, rewards r, infos {"r": r}.
SampleBatch numbered(std::size_t n, std::int64_t first = 0) {
  xt::xarray<float> obs = xt::xarray<float>::from_shape({n, 2});
  xt::xarray<std::int64_t> actions = xt::xarray<std::int64_t>::from_shape({n});
  xt::xarray<float> rewards = xt::xarray<float>::from_shape({n});
  std::vector<Json> infos;
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<std::int64_t>(i) + first;
    obs(i, 0) = static_cast<float>(10 * r);
    obs(i, 1) = static_cast<float>(10 * r + 1);
    actions(i) = r % 3;
    rewards(i) = static_cast<float>(r);
    infos.push_back(Json{{"r", r}});
  }
  SampleBatch batch;
  batch.set(cols::obs, obs);
  batch.set(cols::actions, Column(actions));
  batch.set(cols::rewards, rewards);
  batch.set(cols::infos, infos);
  return batch;
}

// Every row of `batch` is the numbered row rewards[i]: all columns still line up.
void check_aligned(const SampleBatch& batch) {
  const auto& rewards = batch[cols::rewards];
  for (std::size_t i = 0; i < batch.count(); ++i) {
    const auto r = static_cast<std::int64_t>(rewards(i));
    CHECK(batch[cols::obs](i, 0) == static_cast<float>(10 * r));
    CHECK(batch[cols::obs](i, 1) == static_cast<float>(10 * r + 1));
    CHECK(batch[cols::actions].get<std::int64_t>()(i) == r % 3);
    CHECK(batch[cols::infos][i]["r"] == r);
  }
}

std::vector<float> rewards_of(const SampleBatch& batch) {
  const auto& r = batch[cols::rewards];
  return std::vector<float>(r.data(), r.data() + r.size());
}
}  // namespace

TEST_CASE("slice copies rows [begin, end) of every column") {
  const SampleBatch batch = numbered(6);
  const SampleBatch part = batch.slice(2, 5);
  CHECK(part.count() == 3);
  CHECK(rewards_of(part) == std::vector<float>{2, 3, 4});
  CHECK(part[cols::obs].shape()[1] == 2);
  check_aligned(part);
  CHECK(batch.slice(6, 6).count() == 0);
  CHECK_THROWS_WITH_AS(batch.slice(4, 7), doctest::Contains("rows [4, 7) are not within the batch's 6 rows"), BatchError);
}

TEST_CASE("slice_into reuses the target's buffers: no allocation for a same-shape slice") {
  SampleBatch batch = numbered(8);
  batch.erase("infos");  // json rows are copied values, which allocate; numeric columns do not
  SampleBatch target;
  batch.slice_into(0, 4, target);
  const float* obs_buffer = target[cols::obs].data();
  const std::size_t allocations = test::count_allocations([&] { batch.slice_into(4, 8, target); });
  CHECK(allocations == 0);
  CHECK(target[cols::obs].data() == obs_buffer);
  CHECK(rewards_of(target) == std::vector<float>{4, 5, 6, 7});
  CHECK(target.column_names() == batch.column_names());
}

TEST_CASE("slices cut seq_lens to the sequences they overlap") {
  SampleBatch batch = numbered(7);
  batch.set_seq_lens({3, 2, 2});
  const SampleBatch part = batch.slice(2, 6);
  CHECK(std::vector<std::int64_t>(part.seq_lens().begin(), part.seq_lens().end()) == std::vector<std::int64_t>{1, 2, 1});
  CHECK_THROWS_WITH_AS(batch.set_seq_lens({5, 5}), doctest::Contains("cover 10 rows, the batch has 7"), BatchError);
  RandomStream rng(1);
  CHECK_THROWS_AS(batch.shuffle(rng), BatchError);
}

TEST_CASE("rows gathers the given rows in order, repeats allowed") {
  const SampleBatch batch = numbered(5);
  const std::vector<std::int64_t> index{4, 0, 4, 2};
  const SampleBatch picked = batch.rows(index);
  CHECK(picked.count() == 4);
  CHECK(rewards_of(picked) == std::vector<float>{4, 0, 4, 2});
  check_aligned(picked);
  const std::vector<std::int64_t> bad{1, 5};
  CHECK_THROWS_WITH_AS(batch.rows(bad), doctest::Contains("index[1] = 5 is not a row of the batch's 5 rows"), BatchError);
}

TEST_CASE("rows_into gathers like rows() and reuses the target's buffers: no allocation for the same count") {
  SampleBatch batch = numbered(8);
  SampleBatch target;
  target.set("stale", xt::xarray<float>::from_shape({3}));  // a column the batch lacks is dropped
  const std::vector<std::int64_t> first{7, 1, 1, 4}, second{0, 6, 3, 2};
  batch.rows_into(first, target);
  CHECK(target == batch.rows(first));
  check_aligned(target);
  batch.erase("infos");  // json rows are copied values, which allocate; numeric columns do not
  batch.rows_into(first, target);
  const float* obs_buffer = target[cols::obs].data();
  const std::size_t allocations = test::count_allocations([&] { batch.rows_into(second, target); });
  CHECK(allocations == 0);
  CHECK(target[cols::obs].data() == obs_buffer);
  CHECK(target == batch.rows(second));
  CHECK(rewards_of(target) == std::vector<float>{0, 6, 3, 2});
  const std::vector<std::int64_t> bad{-1};
  CHECK_THROWS_WITH_AS(batch.rows_into(bad, target), doctest::Contains("index[0] = -1 is not a row"), BatchError);
}

TEST_CASE("concat_samples appends rows; different columns are an error naming the column") {
  const SampleBatch a = numbered(2), b = numbered(3, 2);
  const SampleBatch both = concat_samples({a, b});
  CHECK(both.count() == 5);
  CHECK(rewards_of(both) == std::vector<float>{0, 1, 2, 3, 4});
  check_aligned(both);
  CHECK(both == numbered(5));

  SampleBatch c = numbered(2);
  c.set(cols::vf_preds, xt::xarray<float>{0.5f, 0.5f});
  CHECK_THROWS_WITH_AS(concat_samples({a, c}), doctest::Contains("column 'vf_preds' is in batch 1 but not in batch 0"),
                       BatchError);
  SampleBatch d = numbered(2);
  d.set(cols::actions, Column(xt::xarray<float>{0.5f, 0.5f}));
  CHECK_THROWS_WITH_AS(concat_samples({a, d}), doctest::Contains("column 'actions': batch 1 holds float32, batch 0 holds int64"),
                       BatchError);
  SampleBatch e = numbered(2);
  e.set(cols::obs, xt::xarray<float>{{1, 2, 3}, {4, 5, 6}});
  CHECK_THROWS_WITH_AS(concat_samples({a, e}), doctest::Contains("column 'obs': batch 1 has rows of shape [3], batch 0 has rows of shape [2]"),
                       BatchError);
  // seq_lens are concatenated.
  SampleBatch s1 = numbered(3), s2 = numbered(2, 3);
  s1.set_seq_lens({2, 1});
  s2.set_seq_lens({2});
  const SampleBatch s = concat_samples({s1, s2});
  CHECK(std::vector<std::int64_t>(s.seq_lens().begin(), s.seq_lens().end()) == std::vector<std::int64_t>{2, 1, 2});
}

TEST_CASE("shuffle applies one permutation to every column, the same for the same seed") {
  SampleBatch first = numbered(50), second = numbered(50), other = numbered(50);
  RandomStream rng1(42), rng2(42), rng3(43);
  first.shuffle(rng1);
  second.shuffle(rng2);
  other.shuffle(rng3);
  CHECK(first == second);
  CHECK_FALSE(first == other);
  CHECK_FALSE(first == numbered(50));
  check_aligned(first);
  check_aligned(other);
  std::vector<float> sorted = rewards_of(first);
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == rewards_of(numbered(50)));
}

TEST_CASE("minibatches are consecutive slices and the last partial one is included") {
  const SampleBatch batch = numbered(10);
  std::vector<std::vector<float>> seen;
  for (const SampleBatch& mb : batch.minibatches(4)) seen.push_back(rewards_of(mb));
  CHECK(seen == std::vector<std::vector<float>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}});
  CHECK(batch.minibatches(4).size() == 3);
  CHECK(batch.minibatches(5).size() == 2);
  CHECK(batch.minibatches(20).size() == 1);
  CHECK(SampleBatch().minibatches(3).size() == 0);
  CHECK_THROWS_AS(batch.minibatches(0), BatchError);
}

TEST_CASE("iterating full-size minibatches of numeric columns allocates nothing after the first") {
  SampleBatch batch = numbered(64);
  batch.erase("infos");
  auto minibatches = batch.minibatches(16);
  auto it = minibatches.begin();
  CHECK(it->count() == 16);  // the first fills the range's buffer
  float sum = 0;
  const std::size_t allocations = test::count_allocations([&] {
    for (++it; it != minibatches.end(); ++it) sum += (*it)[cols::rewards](0);
  });
  CHECK(allocations == 0);
  CHECK(sum == 16 + 32 + 48);
}

TEST_CASE("split_by_episode starts a piece where eps_id changes and after done rows") {
  SampleBatch batch = numbered(7);
  SUBCASE("eps_id runs, as RLlib") {
    batch.set(cols::eps_id, xt::xarray<std::int64_t>{5, 5, 9, 9, 9, 5, 5});
    const auto pieces = batch.split_by_episode();
    REQUIRE(pieces.size() == 3);
    CHECK(rewards_of(pieces[0]) == std::vector<float>{0, 1});
    CHECK(rewards_of(pieces[1]) == std::vector<float>{2, 3, 4});
    CHECK(rewards_of(pieces[2]) == std::vector<float>{5, 6});
  }
  SUBCASE("dones alone; an unfinished last piece is kept") {
    batch.set(cols::dones, xt::xarray<bool>{false, true, false, false, true, false, false});
    const auto pieces = batch.split_by_episode();
    REQUIRE(pieces.size() == 3);
    CHECK(rewards_of(pieces[0]) == std::vector<float>{0, 1});
    CHECK(rewards_of(pieces[1]) == std::vector<float>{2, 3, 4});
    CHECK(rewards_of(pieces[2]) == std::vector<float>{5, 6});
  }
  SUBCASE("the same eps_id twice in a row is still split at terminateds / truncateds") {
    batch.set(cols::eps_id, xt::xarray<std::int64_t>{1, 1, 1, 1, 1, 1, 1});
    batch.set(cols::terminateds, xt::xarray<bool>{false, false, true, false, false, false, false});
    batch.set(cols::truncateds, xt::xarray<bool>{false, false, false, false, true, false, false});
    const auto pieces = batch.split_by_episode();
    REQUIRE(pieces.size() == 3);
    CHECK(rewards_of(pieces[0]) == std::vector<float>{0, 1, 2});
    CHECK(rewards_of(pieces[1]) == std::vector<float>{3, 4});
    CHECK(rewards_of(pieces[2]) == std::vector<float>{5, 6});
  }
  SUBCASE("without episode columns it is an error naming them") {
    CHECK_THROWS_WITH_AS(batch.split_by_episode(), doctest::Contains("eps_id, dones, terminateds, truncateds"), BatchError);
  }
}

TEST_CASE("timeslices cut k rows at a time and never across an episode boundary") {
  SampleBatch batch = numbered(7);
  SUBCASE("no episode columns: plain k-row chunks, as RLlib") {
    const auto slices = batch.timeslices(3);
    REQUIRE(slices.size() == 3);
    CHECK(rewards_of(slices[0]) == std::vector<float>{0, 1, 2});
    CHECK(rewards_of(slices[1]) == std::vector<float>{3, 4, 5});
    CHECK(rewards_of(slices[2]) == std::vector<float>{6});
  }
  SUBCASE("episodes of 4 and 3 rows, k = 3") {
    batch.set(cols::eps_id, xt::xarray<std::int64_t>{1, 1, 1, 1, 2, 2, 2});
    const auto slices = batch.timeslices(3);
    REQUIRE(slices.size() == 3);
    CHECK(rewards_of(slices[0]) == std::vector<float>{0, 1, 2});
    CHECK(rewards_of(slices[1]) == std::vector<float>{3});
    CHECK(rewards_of(slices[2]) == std::vector<float>{4, 5, 6});
  }
  CHECK_THROWS_AS(batch.timeslices(0), BatchError);
}

TEST_CASE("MultiAgentBatch counts env steps and agent steps, concatenates per policy, selects policies") {
  MultiAgentBatch batch({{"p0", numbered(3)}, {"p1", numbered(2)}}, 3);
  CHECK(batch.count() == 3);
  CHECK(batch.agent_steps() == 5);
  CHECK(batch.policy("p1").count() == 2);
  CHECK_THROWS_WITH_AS(batch.policy("p2"), doctest::Contains("policy 'p2': is not in the MultiAgentBatch (policies: p0, p1)"),
                       BatchError);

  MultiAgentBatch later({{"p0", numbered(1, 3)}}, 2);
  const MultiAgentBatch both = concat_samples({batch, later});
  CHECK(both.count() == 5);
  CHECK(both.agent_steps() == 6);
  CHECK(rewards_of(both.policy("p0")) == std::vector<float>{0, 1, 2, 3});
  CHECK(both.policy("p1").count() == 2);

  const MultiAgentBatch only = both.select({"p1"});
  CHECK(only.count() == 5);
  CHECK(only.policy_batches.size() == 1);
  CHECK(only.agent_steps() == 2);
  CHECK_THROWS_AS(both.select({"nope"}), BatchError);

  const MultiAgentBatch single = numbered(4).as_multi_agent();
  CHECK(single.count() == 4);
  CHECK(single.policy(default_policy_id).count() == 4);
  CHECK(default_policy_id == "default_policy");
}
