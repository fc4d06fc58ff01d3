#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "rlpp/core/rng.hpp"
#include "rlpp/evaluation/filters.hpp"
#include "support/allocation_counter.hpp"

// --- docs/rollouts.md (Observation filters): begin ---
#include <iostream>

#include "rlpp/evaluation/filters.hpp"

void filter_observations(std::ostream& out) {
  const rlpp::Config config(rlpp::Json{{"observation_filter", "MeanStdFilter"}});
  const std::size_t width = 2;  // the policy's preprocessed observation size
  rlpp::ObservationFilter local = rlpp::ObservationFilter::from_config(config, width);
  std::vector<rlpp::ObservationFilter> remotes(2, local);  // one per rollout worker

  // Each worker filters its observation batches in place, updating its statistics.
  rlpp::nn::Matrix obs(2, width);
  obs << 1.0f, 10.0f,
         3.0f, 30.0f;
  remotes[0](obs);  // both rows join the stats, then both are normalized
  out << obs(0, 0) << " " << obs(1, 0) << "\n";  // -0.707107 0.707107: (x - 2) / sqrt(2)

  // Once per iteration the driver merges the workers' new statistics, in worker order.
  std::vector<rlpp::ObservationFilter*> workers = {&remotes[0], &remotes[1]};
  rlpp::synchronize_filters(local, workers);
  out << local.get_state()["rs"]["n"] << "\n";  // 2: every worker now normalizes with them
}
// --- docs/rollouts.md (Observation filters): end ---

using namespace rlpp;
using rlpp::test::count_allocations;

namespace {
// Deterministic rows of `width` floats with different scales per column.
std::vector<std::vector<float>> sample_rows(std::size_t count, std::size_t width, std::uint64_t seed) {
  RandomStream rng(seed);
  std::vector<std::vector<float>> rows(count, std::vector<float>(width));
  for (auto& row : rows)
    for (std::size_t i = 0; i < width; ++i)
      row[i] = static_cast<float>(rng.uniform(-1.0, 1.0) * static_cast<double>(i + 1) * 10.0 + static_cast<double>(i));
  return rows;
}

// Two-pass mean and sum of squared deviations, the textbook way.
void brute_force(const std::vector<std::vector<float>>& rows, std::size_t column, double& mean, double& m2) {
  mean = 0.0;
  for (const auto& row : rows) mean += static_cast<double>(row[column]);
  mean /= static_cast<double>(rows.size());
  m2 = 0.0;
  for (const auto& row : rows) m2 += (static_cast<double>(row[column]) - mean) * (static_cast<double>(row[column]) - mean);
}

RunningStat stat_of(const std::vector<std::vector<float>>& rows, std::size_t begin, std::size_t end) {
  RunningStat rs(rows.front().size());
  for (std::size_t r = begin; r < end; ++r) rs.push(std::span<const float>(rows[r]));
  return rs;
}

void push_value(MeanStdFilter& f, float x) {
  float row[1] = {x};
  f(std::span<float>(row));
}
}  // namespace

TEST_CASE("RunningStat's mean and variance match a two-pass computation in double") {
  const auto rows = sample_rows(1000, 3, 7);
  const RunningStat rs = stat_of(rows, 0, rows.size());
  CHECK(rs.n() == 1000);
  for (std::size_t i = 0; i < 3; ++i) {
    double mean = 0.0, m2 = 0.0;
    brute_force(rows, i, mean, m2);
    CHECK(rs.mean(i) == doctest::Approx(mean).epsilon(1e-12));
    CHECK(rs.m2()[i] == doctest::Approx(m2).epsilon(1e-12));
    CHECK(rs.var(i) == doctest::Approx(m2 / 999.0).epsilon(1e-12));
    CHECK(rs.std(i) == doctest::Approx(std::sqrt(m2 / 999.0)).epsilon(1e-12));
  }
}

TEST_CASE("RunningStat's variance is RLlib's: M2 / (n - 1) for n > 1, mean^2 below") {
  RunningStat rs(1);
  CHECK(rs.var(0) == 0.0);  // n = 0: mean 0, 0^2
  const std::vector<double> three = {3.0};
  rs.push(std::span<const double>(three));
  CHECK(rs.mean(0) == 3.0);
  CHECK(rs.var(0) == 9.0);  // n = 1: 3^2
  const std::vector<double> five = {5.0};
  rs.push(std::span<const double>(five));
  // n = 2: mean 4, M2 = (3 - 4)^2 + (5 - 4)^2 = 2, var = 2 / 1
  CHECK(rs.mean(0) == 4.0);
  CHECK(rs.m2()[0] == 2.0);
  CHECK(rs.var(0) == 2.0);
}

TEST_CASE("Merging the stats of two halves gives the stats of the whole") {
  const auto rows = sample_rows(301, 4, 11);
  const RunningStat whole = stat_of(rows, 0, rows.size());
  RunningStat first = stat_of(rows, 0, 120);
  const RunningStat second = stat_of(rows, 120, rows.size());
  first.update(second);
  CHECK(first.n() == whole.n());
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(first.mean(i) == doctest::Approx(whole.mean(i)).epsilon(1e-12));
    CHECK(first.m2()[i] == doctest::Approx(whole.m2()[i]).epsilon(1e-12));
  }

  SUBCASE("merging into an empty stat copies the other exactly") {
    RunningStat empty(4);
    empty.update(whole);
    CHECK(empty == whole);
  }
  SUBCASE("merging an empty stat changes nothing") {
    RunningStat copy = whole;
    copy.update(RunningStat(4));
    CHECK(copy == whole);
  }
}

TEST_CASE("MeanStdFilter normalizes with the stats including the row, as RLlib does") {
  MeanStdFilter f(1);
  float x[1] = {1.0f};
  f(std::span<float>(x));
  // n = 1: mean 1, var = 1^2, std 1: (1 - 1) / (1 + 1e-8) = 0
  CHECK(x[0] == 0.0f);
  x[0] = 3.0f;
  f(std::span<float>(x));
  // n = 2: mean 2, M2 = 0 + (3 - 1)^2 * 1 / 2 = 2, var 2 / 1, std sqrt(2):
  // (3 - 2) / (sqrt(2) + 1e-8)
  CHECK(x[0] == static_cast<float>(1.0 / (std::sqrt(2.0) + 1e-8)));

  SUBCASE("update = false leaves the stats alone") {
    x[0] = 4.0f;
    f(std::span<float>(x), /*update=*/false);
    CHECK(f.rs().n() == 2);
    CHECK(f.buffer().n() == 2);
    CHECK(x[0] == static_cast<float>((4.0 - 2.0) / (std::sqrt(2.0) + 1e-8)));
  }
  SUBCASE("demean and destd switch the two steps off") {
    MeanStdFilter no_mean(1, /*demean=*/false, /*destd=*/true);
    MeanStdFilter no_std(1, /*demean=*/true, /*destd=*/false);
    no_mean.sync(f);  // sync takes demean/destd/clip too, as RLlib's
    CHECK(no_mean.demean());
    MeanStdFilter only_std(1, false, true);
    only_std.apply_changes(f, /*with_buffer=*/false);  // same stats, own flags
    x[0] = 4.0f;
    only_std(std::span<float>(x), false);
    CHECK(x[0] == static_cast<float>(4.0 / (std::sqrt(2.0) + 1e-8)));
    no_std.apply_changes(f, false);
    x[0] = 4.0f;
    no_std(std::span<float>(x), false);
    CHECK(x[0] == 2.0f);  // 4 - 2
  }
}

TEST_CASE("A batch joins the stats first, then every row is normalized with them") {
  MeanStdFilter batch_filter(2);
  nn::Matrix obs(2, 2);
  obs << 1.0f, 10.0f,
         3.0f, 30.0f;
  batch_filter(obs);
  // column 0: mean 2, std sqrt(2); column 1: mean 20, M2 = (10 - 20)^2 * 2 = 200, std sqrt(200)
  const double s0 = std::sqrt(2.0) + 1e-8, s1 = std::sqrt(200.0) + 1e-8;
  CHECK(obs(0, 0) == static_cast<float>(-1.0 / s0));
  CHECK(obs(1, 0) == static_cast<float>(1.0 / s0));
  CHECK(obs(0, 1) == static_cast<float>(-10.0 / s1));
  CHECK(obs(1, 1) == static_cast<float>(10.0 / s1));

  SUBCASE("row by row, the first row only sees itself") {
    MeanStdFilter row_filter(2);
    float a[2] = {1.0f, 10.0f}, b[2] = {3.0f, 30.0f};
    row_filter(std::span<float>(a));
    row_filter(std::span<float>(b));
    CHECK(a[0] == 0.0f);
    CHECK(b[0] == obs(1, 0));
    CHECK(row_filter.get_state() == batch_filter.get_state());
  }
  SUBCASE("a block of rows of a bigger matrix and a Map over a raw buffer work in place") {
    nn::Matrix big(4, 2);
    big << 0.0f, 0.0f, 1.0f, 10.0f, 3.0f, 30.0f, 0.0f, 0.0f;
    MeanStdFilter f(2);
    f(big.middleRows(1, 2));
    CHECK(big(1, 0) == obs(0, 0));
    CHECK(big(2, 1) == obs(1, 1));
    CHECK(big(0, 0) == 0.0f);
    CHECK(big(3, 1) == 0.0f);
    std::vector<float> raw = {1.0f, 10.0f, 3.0f, 30.0f};
    MeanStdFilter g(2);
    g(Eigen::Map<nn::Matrix>(raw.data(), 2, 2));
    CHECK(raw[3] == obs(1, 1));
  }
  SUBCASE("an empty batch changes nothing") {
    nn::Matrix none(0, 2);
    MeanStdFilter f(2);
    f(none);
    CHECK(f.rs().n() == 0);
  }
}

TEST_CASE("MeanStdFilter clips to [-clip, clip]; clip = 0 does not clip") {
  MeanStdFilter f(1, true, true, /*clip=*/1.0);
  push_value(f, 0.0f);
  push_value(f, 2.0f);
  // mean 1, var = 2 / 1, std sqrt(2): x = 10 gives (10 - 1) / sqrt(2) = 6.36...
  float x[1] = {10.0f};
  f(std::span<float>(x), false);
  CHECK(x[0] == 1.0f);
  x[0] = -10.0f;
  f(std::span<float>(x), false);
  CHECK(x[0] == -1.0f);

  MeanStdFilter unclipped(1, true, true, /*clip=*/0.0);
  unclipped.apply_changes(f);
  x[0] = 10.0f;
  unclipped(std::span<float>(x), false);
  CHECK(x[0] == static_cast<float>(9.0 / (std::sqrt(2.0) + 1e-8)));

  SUBCASE("before any observation std is 0, so the default clip of 10 bounds x / 1e-8") {
    MeanStdFilter fresh(1);
    x[0] = 0.5f;
    fresh(std::span<float>(x), false);
    CHECK(x[0] == 10.0f);
  }
  CHECK_THROWS_AS(MeanStdFilter(1, true, true, -1.0), Error);
}

TEST_CASE("apply_changes merges the other's buffer, as RLlib's docstring example") {
  MeanStdFilter a(1);
  push_value(a, 1.0f);
  push_value(a, 2.0f);
  CHECK(a.rs().n() == 2);
  CHECK(a.rs().mean(0) == 1.5);
  CHECK(a.buffer().n() == 2);
  MeanStdFilter b(1);
  push_value(b, 10.0f);
  a.apply_changes(b, /*with_buffer=*/false);
  CHECK(a.rs().n() == 3);
  CHECK(a.rs().mean(0) == doctest::Approx(13.0 / 3.0));  // (1 + 2 + 10) / 3 = 4.333...
  CHECK(a.buffer().n() == 2);
  a.apply_changes(b, /*with_buffer=*/true);
  CHECK(a.rs().n() == 4);
  CHECK(a.rs().mean(0) == doctest::Approx(5.75));  // (1 + 2 + 10 + 10) / 4
  CHECK(a.buffer().n() == 1);
  CHECK(a.buffer() == b.buffer());
}

TEST_CASE("synchronize_filters merges the remotes' buffers in worker order and sends the result back") {
  MeanStdFilter local(1);
  MeanStdFilter remote1(1), remote2(1);
  push_value(remote1, 1.0f);
  push_value(remote1, 3.0f);  // buffer: n 2, mean 2, M2 2
  push_value(remote2, 5.0f);  // buffer: n 1, mean 5, M2 0
  std::vector<MeanStdFilter*> remotes = {&remote1, &remote2};
  synchronize_filters(local, remotes);
  // local.rs: empty + remote1 = (2, 2, 2); + remote2: n 3, delta 2 - 5 = -3,
  // mean (2 * 2 + 1 * 5) / 3 = 3, M2 2 + 0 + 9 * 2 * 1 / 3 = 8 (the M2 of {1, 3, 5}: 4 + 0 + 4)
  CHECK(local.rs().n() == 3);
  CHECK(local.rs().mean(0) == 3.0);
  CHECK(local.rs().m2()[0] == 8.0);
  CHECK(local.buffer().n() == 0);
  for (const MeanStdFilter* remote : remotes) {
    CHECK(remote->rs() == local.rs());
    CHECK(remote->buffer().n() == 0);
  }

  // Next round: only what was seen since is merged.
  push_value(remote1, 7.0f);
  synchronize_filters(local, remotes);
  // n 4, mean (3 * 3 + 7) / 4 = 4, M2 8 + 0 + (3 - 7)^2 * 3 * 1 / 4 = 20 (the M2 of {1, 3, 5, 7})
  CHECK(local.rs().n() == 4);
  CHECK(local.rs().mean(0) == 4.0);
  CHECK(local.rs().m2()[0] == 20.0);
  CHECK(remote2.rs() == local.rs());

  SUBCASE("with ObservationFilters, and a warm synchronization allocates nothing") {
    ObservationFilter l("MeanStdFilter", 3);
    std::vector<ObservationFilter> workers(2, l);
    std::vector<ObservationFilter*> pointers = {&workers[0], &workers[1]};
    nn::Matrix obs = nn::Matrix::Random(5, 3);
    workers[0](obs);
    synchronize_filters(l, pointers);
    CHECK(l.get_state()["rs"]["n"] == 5);
    CHECK(workers[1].get_state() == l.get_state());
    workers[1](obs);
    CHECK(count_allocations([&] { synchronize_filters(l, pointers); }) == 0);
    CHECK(l.get_state()["rs"]["n"] == 10);
  }
  SUBCASE("mismatches are errors that change no filter") {
    MeanStdFilter wide(2);
    std::vector<MeanStdFilter*> bad = {&remote1, &wide};
    const Json before = local.get_state();
    CHECK_THROWS_WITH_AS(synchronize_filters(local, bad),
                         "synchronize_filters: remote filter 1 has width 2, the local filter 1", SpaceError);
    CHECK(local.get_state() == before);
    std::vector<MeanStdFilter*> null = {nullptr};
    CHECK_THROWS_AS(synchronize_filters(local, null), Error);
    ObservationFilter l("MeanStdFilter", 1);
    ObservationFilter none("NoFilter", 1);
    std::vector<ObservationFilter*> mixed = {&none};
    CHECK_THROWS_AS(synchronize_filters(l, mixed), Error);
    CHECK_THROWS_AS(l.apply_changes(none), Error);
    CHECK_THROWS_AS(l.sync(none), Error);
  }
}

TEST_CASE("Filter state round-trips through JSON text bit for bit") {
  MeanStdFilter f(3, true, false, 5.0);
  for (const auto& row : sample_rows(17, 3, 3)) {
    std::vector<float> copy = row;
    f(std::span<float>(copy));
  }
  f.clear_buffer();
  std::vector<float> one = {0.1f, 1.0f / 3.0f, -2.5f};
  f(std::span<float>(one));

  const Json state = Json::parse(f.get_state().dump());
  MeanStdFilter g(3);
  g.set_state(state);
  CHECK(g.rs() == f.rs());
  CHECK(g.buffer() == f.buffer());
  CHECK_FALSE(g.destd());
  CHECK(g.clip() == 5.0);
  CHECK(g.as_serializable() == f.get_state());

  ObservationFilter wrapped(g);
  CHECK(wrapped.type() == "MeanStdFilter");
  ObservationFilter restored("MeanStdFilter", 3);
  restored.set_state(Json::parse(wrapped.get_state().dump()));
  CHECK(restored.get_state() == f.get_state());

  SUBCASE("a state of another type, width or form is a CheckpointError that changes nothing") {
    const Json before = restored.get_state();
    ObservationFilter none("NoFilter", 3);
    CHECK_THROWS_WITH_AS(restored.set_state(none.get_state()),
                         "observation filter state: the state is of a NoFilter, this worker's filter is a "
                         "MeanStdFilter (set config.observation_filter to \"NoFilter\" to restore it)",
                         CheckpointError);
    CHECK_THROWS_AS(ObservationFilter("MeanStdFilter", 2).set_state(state), CheckpointError);
    Json broken = state;
    broken["rs"]["mean"][1] = "x";
    CHECK_THROWS_WITH_AS(restored.set_state(broken), "MeanStdFilter state.rs.mean: expected numbers, got \"x\"",
                         CheckpointError);
    broken = state;
    broken["buffer"].erase("m2");
    CHECK_THROWS_AS(restored.set_state(broken), CheckpointError);
    CHECK_THROWS_AS(restored.set_state(Json(3)), CheckpointError);
    CHECK(restored.get_state() == before);
    CHECK(none.get_state() == Json{{"type", "NoFilter"}, {"shape", {3}}});
    none.set_state(none.get_state());
  }
}

TEST_CASE("config.observation_filter picks the filter; unknown names are ConfigErrors with a suggestion") {
  CHECK(ObservationFilter::from_config(Config(), 4).type() == "NoFilter");  // RLlib's default
  CHECK(ObservationFilter::from_config(Config(Json{{"observation_filter", nullptr}}), 4).type() == "NoFilter");
  const ObservationFilter f = ObservationFilter::from_config(Config(Json{{"observation_filter", "MeanStdFilter"}}), 4);
  CHECK(f.type() == "MeanStdFilter");
  CHECK(f.width() == 4);
  REQUIRE(f.get_if<MeanStdFilter>() != nullptr);
  CHECK(f.get_if<MeanStdFilter>()->clip() == 10.0);  // RLlib's defaults
  CHECK(f.get_if<MeanStdFilter>()->demean());
  CHECK(f.get_if<MeanStdFilter>()->destd());

  CHECK_THROWS_WITH_AS(ObservationFilter::from_config(Config(Json{{"observation_filter", "MeanStdFiltr"}}), 4),
                       "config.observation_filter: unknown observation filter 'MeanStdFiltr'; expected one of "
                       "'NoFilter', 'MeanStdFilter' (did you mean 'MeanStdFilter'?)",
                       ConfigError);
  CHECK_THROWS_WITH_AS(ObservationFilter::from_config(Config(Json{{"observation_filter", "ConcurrentMeanStdFilter"}}), 4),
                       doctest::Contains("use 'MeanStdFilter'"), ConfigError);
  CHECK_THROWS_WITH_AS(ObservationFilter::from_config(Config(Json{{"observation_filter", 1}}), 4),
                       "config.observation_filter: expected a string, got 1", ConfigError);
  try {
    ObservationFilter("Normalize", 4);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "config.observation_filter");
    CHECK(e.fix() == "use 'NoFilter' or 'MeanStdFilter'");
  }
}

TEST_CASE("Wrong widths are SpaceErrors naming the expected and the actual width") {
  ObservationFilter mean_std("MeanStdFilter", 3);
  ObservationFilter none("NoFilter", 3);
  std::vector<float> row(2);
  nn::Matrix batch(4, 2);
  CHECK_THROWS_WITH_AS(mean_std(std::span<float>(row)),
                       doctest::Contains("MeanStdFilter: expected an observation of width 3, got 2 floats"), SpaceError);
  CHECK_THROWS_WITH_AS(none(std::span<float>(row)),
                       doctest::Contains("NoFilter: expected an observation of width 3, got 2 floats"), SpaceError);
  CHECK_THROWS_WITH_AS(mean_std(batch), doctest::Contains("expected a batch of width 3, got 2 columns"), SpaceError);
  CHECK_THROWS_AS(none(batch), SpaceError);
  RunningStat rs(3);
  CHECK_THROWS_WITH_AS(rs.push(std::span<const float>(row)), "RunningStat.push: expected width 3, got a row of width 2",
                       SpaceError);
  CHECK_THROWS_AS(rs.update(RunningStat(2)), SpaceError);
  CHECK_THROWS_WITH_AS(MeanStdFilter(3).apply_changes(MeanStdFilter(2)),
                       "MeanStdFilter.apply_changes: expected a filter of width 3, got width 2", SpaceError);
  CHECK_THROWS_AS(MeanStdFilter(3).sync(MeanStdFilter(2)), SpaceError);
  CHECK(mean_std.get_state()["rs"]["n"] == 0);  // nothing was pushed
}

TEST_CASE("NoFilter is the identity") {
  ObservationFilter f("NoFilter", 2);
  nn::Matrix obs(2, 2);
  obs << 1.0f, 2.0f, 3.0f, 4.0f;
  const nn::Matrix before = obs;
  f(obs);
  std::vector<float> row = {5.0f, 6.0f};
  f(std::span<float>(row));
  CHECK(obs == before);
  CHECK(row == std::vector<float>{5.0f, 6.0f});
  f.apply_changes(f.copy(), true);
  f.sync(f.copy());
  f.clear_buffer();
  CHECK(f.as_serializable() == f.get_state());
}

TEST_CASE("Filtering rows and batches in place allocates nothing") {
  for (const char* type : {"NoFilter", "MeanStdFilter"}) {
    CAPTURE(type);
    ObservationFilter f(type, 4);
    nn::Matrix obs = nn::Matrix::Random(32, 4);
    std::vector<float> row(4, 0.5f);
    for (bool update : {true, false}) {
      CHECK(count_allocations([&] { f(obs, update); }) == 0);
      CHECK(count_allocations([&] { f(obs.middleRows(8, 8), update); }) == 0);
      CHECK(count_allocations([&] { f(std::span<float>(row), update); }) == 0);
    }
    CHECK(count_allocations([&] { f.clear_buffer(); }) == 0);
  }
}

TEST_CASE("The filters satisfy the observation_filter concept") {
  static_assert(observation_filter<NoFilter>);
  static_assert(observation_filter<MeanStdFilter>);
  static_assert(observation_filter<ObservationFilter>);
  static_assert(!observation_filter<RunningStat>);
}

TEST_CASE("docs/rollouts.md: the observation filter example runs as documented") {
  std::ostringstream out;
  filter_observations(out);
  CHECK(out.str() == "-0.707107 0.707107\n2\n");
}
