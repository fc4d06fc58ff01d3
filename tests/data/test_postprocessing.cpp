#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "rlpp/data/postprocessing.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;
using doctest::Approx;

namespace {
std::vector<float> values_of(const SampleBatch& batch, ColumnKey<float> key) {
  const auto& v = batch[key];
  return {v.data(), v.data() + v.size()};
}
void check_close(const std::vector<float>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == Approx(want[i]).epsilon(1e-6));
  }
}

// 3 steps: rewards 1, 0, 2; vf_preds 0.5, 0.4, 0.3; new_obs rows (0, 0), (0, 0), (0.25, 0.75).
SampleBatch three_steps() {
  SampleBatch batch;
  batch.set(cols::rewards, xt::xarray<float>{1.0f, 0.0f, 2.0f});
  batch.set(cols::vf_preds, xt::xarray<float>{0.5f, 0.4f, 0.3f});
  batch.set(cols::new_obs, xt::xarray<float>{{0, 0}, {0, 0}, {0.25f, 0.75f}});
  return batch;
}
}  // namespace

TEST_CASE("discount_cumsum is y_t = x_t + gamma y_{t+1}") {
  const std::vector<float> x{1, 2, 3};
  std::vector<float> y(3);
  discount_cumsum(x, 0.5f, y);
  // y_2 = 3; y_1 = 2 + 0.5 * 3 = 3.5; y_0 = 1 + 0.5 * 3.5 = 2.75
  CHECK(y == std::vector<float>{2.75f, 3.5f, 3.0f});
  std::vector<float> in_place{1, 2, 3};
  discount_cumsum(in_place, 0.5f, in_place);
  CHECK(in_place == y);
}

TEST_CASE("GAE with gamma 0.9, lambda 0.8 does not bootstrap after termination") {
  SampleBatch batch = three_steps();
  batch.set(cols::terminateds, xt::xarray<bool>{false, false, true});
  bool called = false;
  compute_gae_for_sample_batch(batch, [&](std::span<const float>) { called = true; return 100.0f; }, 0.9f, 0.8f);
  CHECK_FALSE(called);
  // last_r = 0; gamma * lambda = 0.72
  // delta_2 = 2 + 0.9 * 0   - 0.3 =  1.7
  // delta_1 = 0 + 0.9 * 0.3 - 0.4 = -0.13
  // delta_0 = 1 + 0.9 * 0.4 - 0.5 =  0.86
  // A_2 = 1.7; A_1 = -0.13 + 0.72 * 1.7 = 1.094; A_0 = 0.86 + 0.72 * 1.094 = 1.64768
  check_close(values_of(batch, cols::advantages), {1.64768, 1.094, 1.7});
  // value_targets = A + V
  check_close(values_of(batch, cols::value_targets), {1.64768 + 0.5, 1.094 + 0.4, 1.7 + 0.3});
}

TEST_CASE("GAE bootstraps from the value of the final observation on truncation") {
  SampleBatch batch = three_steps();
  batch.set(cols::terminateds, xt::xarray<bool>{false, false, false});
  batch.set(cols::truncateds, xt::xarray<bool>{false, false, true});
  std::vector<float> seen;
  // V(new_obs_2) = 0.25 + 0.75 = 1.0
  compute_gae_for_sample_batch(batch, [&](std::span<const float> obs) {
    seen.assign(obs.begin(), obs.end());
    return obs[0] + obs[1];
  }, 0.9f, 0.8f);
  CHECK(seen == std::vector<float>{0.25f, 0.75f});
  // delta_2 = 2 + 0.9 * 1.0 - 0.3 = 2.6; delta_1 = -0.13; delta_0 = 0.86
  // A_2 = 2.6; A_1 = -0.13 + 0.72 * 2.6 = 1.742; A_0 = 0.86 + 0.72 * 1.742 = 2.11424
  check_close(values_of(batch, cols::advantages), {2.11424, 1.742, 2.6});
  check_close(values_of(batch, cols::value_targets), {2.11424 + 0.5, 1.742 + 0.4, 2.6 + 0.3});
}

TEST_CASE("GAE reads dones when there is no terminateds column, and bootstraps a fragment cut mid-episode") {
  SUBCASE("dones marks the end: no bootstrap") {
    SampleBatch batch = three_steps();
    batch.set(cols::dones, xt::xarray<bool>{false, false, true});
    compute_gae_for_sample_batch(batch, [](std::span<const float>) { return 100.0f; }, 0.9f, 0.8f);
    check_close(values_of(batch, cols::advantages), {1.64768, 1.094, 1.7});
  }
  SUBCASE("no flags at all: the fragment ended mid-episode") {
    SampleBatch batch = three_steps();
    compute_gae_for_sample_batch(batch, [](const SampleBatch& b, std::size_t row) {
      return b[cols::new_obs](row, 0) + b[cols::new_obs](row, 1);  // 1.0, as in the truncation case
    }, 0.9f, 0.8f);
    check_close(values_of(batch, cols::advantages), {2.11424, 1.742, 2.6});
  }
  SUBCASE("bootstrapping needs new_obs") {
    SampleBatch batch = three_steps();
    batch.erase("new_obs");
    CHECK_THROWS_WITH_AS(compute_gae_for_sample_batch(batch, [](std::span<const float>) { return 0.0f; }),
                         doctest::Contains("has no column 'new_obs'"), BatchError);
  }
}

TEST_CASE("compute_advantages without GAE uses discounted returns") {
  SampleBatch batch = three_steps();
  // G_2 = 2 + 0.9 * 0 = 2; G_1 = 0 + 0.9 * 2 = 1.8; G_0 = 1 + 0.9 * 1.8 = 2.62
  SUBCASE("with a critic: advantages = G - V, targets = G") {
    compute_advantages(batch, 0.0f, 0.9f, 1.0f, false, true);
    check_close(values_of(batch, cols::advantages), {2.62 - 0.5, 1.8 - 0.4, 2.0 - 0.3});
    check_close(values_of(batch, cols::value_targets), {2.62, 1.8, 2.0});
  }
  SUBCASE("without a critic: advantages = G, targets = 0") {
    batch.erase("vf_preds");
    compute_advantages(batch, 0.0f, 0.9f, 1.0f, false, false);
    check_close(values_of(batch, cols::advantages), {2.62, 1.8, 2.0});
    check_close(values_of(batch, cols::value_targets), {0, 0, 0});
  }
  SUBCASE("last_r enters the returns") {
    // G_2 = 2 + 0.9 * 10 = 11; G_1 = 0.9 * 11 = 9.9; G_0 = 1 + 0.9 * 9.9 = 9.91
    compute_advantages(batch, 10.0f, 0.9f, 1.0f, false, true);
    check_close(values_of(batch, cols::value_targets), {9.91, 9.9, 11.0});
  }
}

TEST_CASE("compute_advantages names the missing column") {
  SampleBatch batch = three_steps();
  batch.erase("vf_preds");
  CHECK_THROWS_WITH_AS(compute_advantages(batch, 0.0f), doctest::Contains("needs the column 'vf_preds'"), BatchError);
  batch.erase("rewards");
  CHECK_THROWS_WITH_AS(compute_advantages(batch, 0.0f, 0.9f, 1.0f, false, false),
                       doctest::Contains("needs the column 'rewards'"), BatchError);
  SampleBatch wide = three_steps();
  wide.set(cols::rewards, xt::xarray<float>{{1, 1}, {1, 1}, {1, 1}});
  CHECK_THROWS_WITH_AS(compute_advantages(wide, 0.0f), doctest::Contains("column 'rewards': has shape [3, 2]"), BatchError);
}

TEST_CASE("recomputing advantages for a same-size batch allocates nothing") {
  SampleBatch batch = three_steps();
  compute_advantages(batch, 0.0f, 0.9f, 0.8f);
  CHECK(test::count_allocations([&] { compute_advantages(batch, 0.0f, 0.9f, 0.8f); }) == 0);
}

TEST_CASE("n-step returns stop at episode ends inside the batch and record gamma^k") {
  // Two episodes in one batch: rows 0-2 (terminated at row 2), rows 3-4 (cut by the batch end).
  SampleBatch batch;
  batch.set(cols::rewards, xt::xarray<float>{1, 2, 3, 4, 5});
  batch.set(cols::new_obs, xt::xarray<float>{{10, 0}, {11, 1}, {12, 2}, {13, 3}, {14, 4}});
  batch.set(cols::eps_id, xt::xarray<std::int64_t>{1, 1, 1, 2, 2});
  batch.set(cols::terminateds, xt::xarray<bool>{false, false, true, false, false});
  batch.set(cols::truncateds, xt::xarray<bool>{false, false, false, false, false});
  adjust_nstep(3, 0.5f, batch);
  // Episode 1:
  //   t=0: k=3: 1 + 0.5 * 2 + 0.25 * 3 = 2.75, new_obs_2 = 12, terminated, discount 0.5^3
  //   t=1: k=2: 2 + 0.5 * 3            = 3.5,  new_obs_2 = 12, terminated, discount 0.5^2
  //   t=2: k=1: 3                      = 3,    new_obs_2 = 12, terminated, discount 0.5
  // Episode 2 (RLlib would have added 0.5 * 4 + 0.25 * 5 into row 2):
  //   t=3: k=2: 4 + 0.5 * 5 = 6.5, new_obs_4 = 14, not terminated, discount 0.5^2
  //   t=4: k=1: 5,                 new_obs_4 = 14, not terminated, discount 0.5
  CHECK(values_of(batch, cols::rewards) == std::vector<float>{2.75f, 3.5f, 3.0f, 6.5f, 5.0f});
  CHECK(values_of(batch, cols::new_obs) == std::vector<float>{12, 2, 12, 2, 12, 2, 14, 4, 14, 4});
  CHECK(values_of(batch, cols::n_step_discounts) == std::vector<float>{0.125f, 0.25f, 0.5f, 0.25f, 0.5f});
  const auto& terminated = batch[cols::terminateds];
  CHECK(std::vector<bool>(terminated.begin(), terminated.end()) == std::vector<bool>{true, true, true, false, false});
}

TEST_CASE("n-step rows near a truncation take the truncated flag and a shorter discount") {
  // One episode truncated (time limit) at row 3 of 4, n = 2, gamma = 0.9.
  SampleBatch batch;
  batch.set(cols::rewards, xt::xarray<float>{1, 1, 1, 1});
  batch.set(cols::new_obs, xt::xarray<float>{{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  batch.set(cols::dones, xt::xarray<bool>{false, false, false, true});
  batch.set(cols::truncateds, xt::xarray<bool>{false, false, false, true});
  adjust_nstep(2, 0.9f, batch);
  // t=0..2: k=2: 1 + 0.9 * 1 = 1.9, discount 0.81; t=3: k=1: 1, discount 0.9 (RLlib: 0.81)
  check_close(values_of(batch, cols::rewards), {1.9, 1.9, 1.9, 1.0});
  check_close(values_of(batch, cols::n_step_discounts), {0.81, 0.81, 0.81, 0.9});
  CHECK(values_of(batch, cols::new_obs) == std::vector<float>{2, 2, 3, 3, 4, 4, 4, 4});
  const auto& truncated = batch[cols::truncateds];
  CHECK(std::vector<bool>(truncated.begin(), truncated.end()) == std::vector<bool>{false, false, true, true});
  CHECK_THROWS_AS(adjust_nstep(0, 0.9f, batch), BatchError);
}

TEST_CASE("V-trace on-policy without clipping gives n-step returns") {
  // behaviour = target, so every ratio is 1: rho = c = 1 and vs_t = r_t + gamma_t vs_{t+1}.
  const std::vector<float> logp{-0.7f, -1.2f, -0.1f};
  const std::vector<float> rewards{1, 2, 3}, values{0.5f, 1.0f, 1.5f};
  SUBCASE("no episode end") {
    const auto out = vtrace(logp, logp, rewards, values, 2.0f, std::vector<float>{0.9f, 0.9f, 0.9f});
    // vs_2 = 3 + 0.9 * 2 = 4.8; vs_1 = 2 + 0.9 * 4.8 = 6.32; vs_0 = 1 + 0.9 * 6.32 = 6.688
    check_close(out.vs, {6.688, 6.32, 4.8});
    // pg_t = r_t + gamma vs_{t+1} - V_t: 1 + 0.9 * 6.32 - 0.5 = 6.188; 2 + 4.32 - 1 = 5.32; 3 + 1.8 - 1.5 = 3.3
    check_close(out.pg_advantages, {6.188, 5.32, 3.3});
  }
  SUBCASE("an episode ends after step 1 (discount 0)") {
    const auto out = vtrace(logp, logp, rewards, values, 2.0f, std::vector<float>{0.9f, 0.0f, 0.9f});
    // vs_2 = 4.8; vs_1 = 2 + 0 * 4.8 = 2; vs_0 = 1 + 0.9 * 2 = 2.8
    check_close(out.vs, {2.8, 2.0, 4.8});
  }
}

TEST_CASE("V-trace clips importance ratios at the thresholds") {
  // Ratios pi/mu = 2, 0.5, 1 (log 2, log 0.5, 0); thresholds 1: rho = c = pg_rho = 1, 0.5, 1.
  const std::vector<float> behaviour{0.0f, 0.0f, -1.0f};
  const std::vector<float> target{std::log(2.0f), std::log(0.5f), -1.0f};
  const std::vector<float> rewards{1, 2, 3}, values{0.5f, 1.0f, 1.5f}, discounts{0.9f, 0.9f, 0.9f};
  // delta_2 = 1   * (3 + 0.9 * 2.0 - 1.5) = 3.3                  vs_2 = 1.5 + 3.3   = 4.8
  // delta_1 = 0.5 * (2 + 0.9 * 1.5 - 1.0) = 1.175
  //   vs_1 - V_1 = 1.175 + 0.9 * 0.5 * 3.3 = 2.66                vs_1 = 1.0 + 2.66  = 3.66
  // delta_0 = 1   * (1 + 0.9 * 1.0 - 0.5) = 1.4
  //   vs_0 - V_0 = 1.4 + 0.9 * 1 * 2.66   = 3.794                vs_0 = 0.5 + 3.794 = 4.294
  SUBCASE("all three thresholds at 1") {
    const auto out = vtrace(behaviour, target, rewards, values, 2.0f, discounts);
    check_close(out.vs, {4.294, 3.66, 4.8});
    // pg_0 = 1 * (1 + 0.9 * 3.66 - 0.5) = 3.794; pg_1 = 0.5 * (2 + 0.9 * 4.8 - 1) = 2.66; pg_2 = 3.3
    check_close(out.pg_advantages, {3.794, 2.66, 3.3});
  }
  SUBCASE("pg clipping off: the ratio 2 scales pg_0") {
    const auto out = vtrace(behaviour, target, rewards, values, 2.0f, discounts,
                            {.clip_pg_rho_threshold = std::numeric_limits<float>::infinity()});
    check_close(out.vs, {4.294, 3.66, 4.8});
    check_close(out.pg_advantages, {2 * 3.794, 2.66, 3.3});
  }
  SUBCASE("mismatched lengths name the input") {
    CHECK_THROWS_WITH_AS(vtrace(behaviour, target, rewards, std::vector<float>{1, 2}, 0.0f, discounts),
                         doctest::Contains("vtrace: values: has 2 steps, rewards has 3"), BatchError);
  }
}
