#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xnpy.hpp>

#include "rlpp/data/npy.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/data/summarize.hpp"

using namespace rlpp;
namespace fs = std::filesystem;

namespace {
// Floats that print badly in decimal, a denormal, -0, NaN and infinities; a 3-d column; every dtype.
SampleBatch awkward_batch() {
  SampleBatch batch;
  batch.set(cols::obs, xt::xarray<float>{{{0.1f, 1.0f / 3.0f}, {-0.0f, 1e-40f}},
                                          {{3.4028235e38f, -1.17549435e-38f}, {16777217.0f, 2.5f}},
                                          {{std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()},
                                           {-std::numeric_limits<float>::infinity(), 7.0f}}});
  batch.set(cols::actions, Column(xt::xarray<std::int64_t>{0, -1, std::numeric_limits<std::int64_t>::max()}));
  batch.set(cols::rewards, xt::xarray<float>{1.0f, 0.5f, -2.25f});
  batch.set(cols::dones, xt::xarray<bool>{false, false, true});
  batch.set(cols::infos, std::vector<Json>{Json::object(), Json{{"lives", 3}}, Json{{"msg", "end"}, {"v", {1, 2}}}});
  batch.set(cols::eps_id, xt::xarray<std::int64_t>{std::int64_t{1} << 62, std::int64_t{1} << 62, 5});
  batch.set_seq_lens({2, 1});
  return batch;
}

// Bit-for-bit equality of two float columns (== would fail on NaN and miss -0 vs 0).
bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void check_same(const SampleBatch& a, const SampleBatch& b) {
  CHECK(a.count() == b.count());
  CHECK(a.column_names() == b.column_names());
  CHECK(std::vector<std::int64_t>(a.seq_lens().begin(), a.seq_lens().end()) ==
        std::vector<std::int64_t>(b.seq_lens().begin(), b.seq_lens().end()));
  for (const auto& [name, column] : a) {
    CAPTURE(name);
    const Column& other = b.column(name);
    REQUIRE(other.type() == column.type());
    CHECK(other.shape() == column.shape());
    if (column.type() == ColumnType::float32) CHECK(same_bits(column.get<float>(), other.get<float>()));
    else CHECK(column == other);
  }
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) : path(fs::temp_directory_path() / ("rlpp_test_data_" + name)) {
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("JSON round trip is exact: dtypes, shapes, every float bit, infos, seq_lens") {
  const SampleBatch batch = awkward_batch();
  const Json j = batch;
  CHECK(j["type"] == "SampleBatch");
  CHECK(j["rewards"] == Json{1.0, 0.5, -2.25});
  CHECK(j["obs"][2][0][0] == "nan");
  CHECK(j["_dtypes"]["actions"] == "int64");
  SUBCASE("in memory") { check_same(j.get<SampleBatch>(), batch); }
  SUBCASE("through text") { check_same(Json::parse(j.dump()).get<SampleBatch>(), batch); }
  SUBCASE("an empty column keeps its trailing shape") {
    const SampleBatch empty = batch.slice(0, 0);
    const SampleBatch back = Json::parse(Json(empty).dump()).get<SampleBatch>();
    CHECK(back.column("obs").shape() == std::vector<std::size_t>{0, 2, 2});
    CHECK(back.count() == 0);
  }
}

TEST_CASE("JSON lines written by RLlib without _dtypes are read by inferring the dtypes") {
  const Json line = Json::parse(R"({"type": "SampleBatch", "obs": [[0.5, 1], [2, 3]], "actions": [1, 0],
      "rewards": [1.0, 0.0], "dones": [false, true], "infos": [{}, {"a": 1}], "eps_id": [11, 11]})");
  const auto batch = line.get<SampleBatch>();
  CHECK(batch.count() == 2);
  CHECK(batch[cols::obs](0, 1) == 1.0f);
  CHECK(batch[cols::actions].type() == ColumnType::int64);
  CHECK(batch[cols::dones](1) == true);
  CHECK(batch[cols::infos][1]["a"] == 1);
  CHECK(batch[cols::eps_id](0) == 11);
  const Json ragged = Json::parse(R"({"type": "SampleBatch", "obs": [[1, 2], [3]]})");
  CHECK_THROWS_WITH_AS(ragged.get<SampleBatch>(), doctest::Contains("column 'obs': is not a rectangular array"), BatchError);
  const Json compressed = Json::parse(R"({"type": "SampleBatch", "obs": "BCJNGGhA..."})");
  CHECK_THROWS_WITH_AS(compressed.get<SampleBatch>(), doctest::Contains("column 'obs': is a JSON string"), BatchError);
}

TEST_CASE("MultiAgentBatch JSON round trip keeps env steps and policy batches") {
  MultiAgentBatch batch({{"p0", awkward_batch()}, {"p1", awkward_batch().slice(0, 1)}}, 3);
  const Json j = batch;
  CHECK(j["type"] == "MultiAgentBatch");
  CHECK(j["count"] == 3);
  const auto back = Json::parse(j.dump()).get<MultiAgentBatch>();
  CHECK(back.count() == 3);
  check_same(back.policy("p0"), batch.policy("p0"));
  check_same(back.policy("p1"), batch.policy("p1"));
}

TEST_CASE("npy round trip is exact, and the files are numpy's format") {
  TempDir dir("npy_round_trip");
  const SampleBatch batch = awkward_batch();
  save_npy(batch, dir.path);
  CHECK(fs::exists(dir.path / "obs.npy"));
  CHECK(fs::exists(dir.path / "manifest.json"));
  CHECK_FALSE(fs::exists(dir.path / "infos.npy"));  // json columns live in the manifest
  check_same(load_npy(dir.path), batch);

  // The header numpy.load expects: magic, version 1.0, the header length (little-endian), a
  // dict padded with spaces to a 64-byte boundary and ended by '\n', then the data.
  const auto bytes = read_whole_file(dir.path / "rewards.npy");
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  CHECK(text.substr(1, 7) == std::string("NUMPY\x01\x00", 7));
  CHECK(text.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") == 10);
  const std::size_t header_length = static_cast<unsigned char>(text[8]) + 256u * static_cast<unsigned char>(text[9]);
  CHECK((10 + header_length) % 64 == 0);
  CHECK(text[10 + header_length - 1] == '\n');
  CHECK(bytes.size() == 10 + header_length + 3 * sizeof(float));
  float rewards[3];
  std::memcpy(rewards, bytes.data() + 10 + header_length, sizeof rewards);
  CHECK(rewards[2] == -2.25f);
  // An independent reader (xtensor's) loads them.
  const auto obs_loaded = xt::load_npy<float>((dir.path / "obs.npy").string());
  CHECK(obs_loaded.dimension() == 3);
  CHECK(obs_loaded(1, 1, 0) == 16777217.0f);
  const auto actions_loaded = xt::load_npy<std::int64_t>((dir.path / "actions.npy").string());
  CHECK(actions_loaded(2) == std::numeric_limits<std::int64_t>::max());
  const auto dones_loaded = xt::load_npy<bool>((dir.path / "dones.npy").string());
  CHECK(dones_loaded(2) == true);
  const auto obs = read_whole_file(dir.path / "obs.npy");
  CHECK(std::string(reinterpret_cast<const char*>(obs.data()), obs.size()).find("'shape': (3, 2, 2), }") != std::string::npos);
}

TEST_CASE("loading a missing, truncated or mismatched npy file is an error naming the file") {
  TempDir dir("npy_errors");
  SampleBatch batch = awkward_batch();
  save_npy(batch, dir.path);
  SUBCASE("missing manifest") {
    fs::remove(dir.path / "manifest.json");
    CHECK_THROWS_WITH_AS(load_npy(dir.path), doctest::Contains("manifest.json: no such file"), CheckpointError);
  }
  SUBCASE("missing column file") {
    fs::remove(dir.path / "rewards.npy");
    CHECK_THROWS_WITH_AS(load_npy(dir.path), doctest::Contains("rewards.npy: no such file"), CheckpointError);
  }
  SUBCASE("truncated data") {
    const auto bytes = read_whole_file(dir.path / "obs.npy");
    write_file_atomically(dir.path / "obs.npy", std::span(bytes).first(bytes.size() - 4));
    CHECK_THROWS_WITH_AS(load_npy(dir.path), doctest::Contains("obs.npy: holds 44 data bytes, shape [3, 2, 2] needs 48"),
                         CheckpointError);
  }
  SUBCASE("garbage instead of npy") {
    const std::string junk = "not an array";
    write_file_atomically(dir.path / "actions.npy", std::as_bytes(std::span(junk.data(), junk.size())));
    CHECK_THROWS_WITH_AS(load_npy(dir.path), doctest::Contains("actions.npy: not a valid .npy file: no \\x93NUMPY magic"),
                         CheckpointError);
  }
  SUBCASE("a file of another dtype than the manifest says") {
    fs::copy_file(dir.path / "rewards.npy", dir.path / "dones.npy", fs::copy_options::overwrite_existing);
    CHECK_THROWS_WITH_AS(load_npy(dir.path), doctest::Contains("dones.npy: holds dtype '<f4', the manifest says bool"),
                         CheckpointError);
  }
  SUBCASE("corrupt manifest") {
    const std::string junk = "{\"type\": \"SampleBatch\", \"columns\": ";
    write_file_atomically(dir.path / "manifest.json", std::as_bytes(std::span(junk.data(), junk.size())));
    CHECK_THROWS_WITH_AS(load_npy(dir.path), doctest::Contains("manifest.json: not valid JSON"), CheckpointError);
  }
}

TEST_CASE("a column name that is not a safe file name cannot be saved as npy") {
  TempDir dir("npy_bad_name");
  SampleBatch batch;
  batch.set("../escape", Column(xt::xarray<float>{1.0f}));
  CHECK_THROWS_WITH_AS(save_npy(batch, dir.path), doctest::Contains("column '../escape': cannot be saved as a file name"),
                       BatchError);
}

TEST_CASE("summarize gives shape, dtype, min, max and mean per column") {
  SampleBatch batch;
  batch.set(cols::obs, xt::xarray<float>{{1, -2}, {3, 4}});        // min -2, max 4, mean (1 - 2 + 3 + 4) / 4 = 1.5
  batch.set(cols::actions, Column(xt::xarray<std::int64_t>{2, 7}));  // mean 4.5
  batch.set(cols::dones, xt::xarray<bool>{false, true});              // fraction true 0.5
  batch.set(cols::infos, std::vector<Json>{Json::object(), Json::object()});
  const Json s = summarize(batch);
  CHECK(s["count"] == 2);
  const Json& obs = s["columns"]["obs"];
  CHECK(obs["shape"] == Json{2, 2});
  CHECK(obs["dtype"] == "float32");
  CHECK(obs["min"] == -2.0);
  CHECK(obs["max"] == 4.0);
  CHECK(obs["mean"] == 1.5);
  CHECK(s["columns"]["actions"]["min"] == 2);
  CHECK(s["columns"]["actions"]["max"] == 7);
  CHECK(s["columns"]["actions"]["mean"] == 4.5);
  CHECK(s["columns"]["dones"]["mean"] == 0.5);
  CHECK(s["columns"]["infos"]["dtype"] == "json");
  CHECK_FALSE(s["columns"]["infos"].contains("min"));
  const std::string text = pretty_summary(batch);
  CHECK(text.find("SampleBatch(2 rows)") == 0);
  CHECK(text.find("obs      float32  [2, 2]  min=-2 max=4 mean=1.5") != std::string::npos);
  CHECK(text.find("actions  int64    [2]     min=2 max=7 mean=4.5") != std::string::npos);
}
