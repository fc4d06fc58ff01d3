#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rlpp/data/sample_batch.hpp"

using namespace rlpp;

namespace {
// 5 rows: obs [5, 2] = row r holds (10r, 10r + 1), actions int64, rewards 0..4, eps_id 7,7,7,8,8.
SampleBatch make_batch() {
  SampleBatch batch;
  batch.set(cols::obs, xt::xarray<float>{{0, 1}, {10, 11}, {20, 21}, {30, 31}, {40, 41}});
  batch.set(cols::actions.name, Column(xt::xarray<std::int64_t>{0, 1, 0, 1, 1}));
  batch.set(cols::rewards, xt::xarray<float>{0, 1, 2, 3, 4});
  batch.set(cols::eps_id, xt::xarray<std::int64_t>{7, 7, 7, 8, 8});
  batch.set(cols::dones, xt::xarray<bool>{false, false, true, false, false});
  return batch;
}
}  // namespace

TEST_CASE("typed keys give the column's array and know its dtype") {
  SampleBatch batch = make_batch();
  CHECK(batch.count() == 5);
  xt::xarray<float>& rewards = batch[cols::rewards];
  CHECK(rewards(3) == 3.0f);
  rewards(3) = 30.0f;
  CHECK(batch.get<float>("rewards")(3) == 30.0f);
  CHECK(batch[cols::actions].type() == ColumnType::int64);
  CHECK(batch[cols::actions].get<std::int64_t>()(1) == 1);
  CHECK(batch[cols::eps_id](4) == 8);
  CHECK(batch.column_names() == std::vector<std::string>{"actions", "dones", "eps_id", "obs", "rewards"});
  CHECK(batch.contains("obs"));
  CHECK_FALSE(batch.contains("new_obs"));
}

TEST_CASE("reading a column with the wrong dtype names the column and both dtypes") {
  SampleBatch batch = make_batch();
  CHECK_THROWS_WITH_AS(batch.get<float>("actions"), doctest::Contains("column 'actions': holds int64, read as float32"),
                       BatchError);
  CHECK_THROWS_WITH_AS(batch[cols::actions].get<float>("actions"), doctest::Contains("holds int64, read as float32"),
                       BatchError);
  batch.set("eps_id", Column(xt::xarray<float>{1, 2, 3, 4, 5}));
  CHECK_THROWS_WITH_AS(batch[cols::eps_id], doctest::Contains("column 'eps_id': holds float32, read as int64"), BatchError);
}

TEST_CASE("a missing column is an error naming it") {
  SampleBatch batch = make_batch();
  CHECK_THROWS_WITH_AS(batch[cols::vf_preds], doctest::Contains("column 'vf_preds': is not in the batch"), BatchError);
  CHECK_THROWS_WITH_AS(batch.column("state_in_0"), doctest::Contains("'state_in_0'"), BatchError);
}

TEST_CASE("a column with another row count than the batch is rejected") {
  SampleBatch batch = make_batch();
  CHECK_THROWS_WITH_AS(batch.set(cols::vf_preds, xt::xarray<float>{1, 2, 3}),
                       doctest::Contains("column 'vf_preds': has 3 rows, the batch has 5"), BatchError);
  CHECK_FALSE(batch.contains("vf_preds"));
  CHECK_THROWS_AS(batch.set("seq_lens", Column(xt::xarray<std::int64_t>{5})), BatchError);
  // The only column may be replaced by one of another length.
  SampleBatch single;
  single.set(cols::rewards, xt::xarray<float>{1, 2});
  single.set(cols::rewards, xt::xarray<float>{1, 2, 3});
  CHECK(single.count() == 3);
  single.erase("rewards");
  CHECK(single.count() == 0);
  CHECK(single.empty());
}

TEST_CASE("matrix() views a float column as [count, row elements] without copying") {
  SampleBatch batch = make_batch();
  auto obs = batch.matrix("obs");
  CHECK(obs.rows() == 5);
  CHECK(obs.cols() == 2);
  CHECK(obs(3, 1) == 31.0f);
  CHECK(obs.data() == batch[cols::obs].data());
  obs(0, 0) = -1.0f;
  CHECK(batch[cols::obs](0, 0) == -1.0f);
  const SampleBatch& view = batch;
  auto rewards = view.matrix(cols::rewards);
  CHECK(rewards.cols() == 1);
  CHECK(rewards(4, 0) == 4.0f);
  CHECK_THROWS_AS(view.matrix("actions"), BatchError);
}

TEST_CASE("a batch can be built from (name, column) pairs and read as flat spans") {
  const SampleBatch batch{{"obs", xt::xarray<float>{{1, 2}, {3, 4}}},
                          {"actions", xt::xarray<std::int64_t>{1, 0}},
                          {"infos", std::vector<Json>{Json::object(), Json{{"x", 1}}}}};
  CHECK(batch.count() == 2);
  const auto obs = batch.values(cols::obs);
  CHECK(std::vector<float>(obs.begin(), obs.end()) == std::vector<float>{1, 2, 3, 4});
  CHECK(batch.values<std::int64_t>("actions")[0] == 1);
  CHECK(batch[cols::infos][1]["x"] == 1);
  CHECK(cols::state_in(0) == "state_in_0");
  CHECK(cols::state_out(2) == "state_out_2");
  CHECK_THROWS_WITH_AS((SampleBatch{{"a", xt::xarray<float>{1, 2}}, {"b", xt::xarray<float>{1}}}),
                       doctest::Contains("column 'b': has 1 rows, the batch has 2"), BatchError);
}
