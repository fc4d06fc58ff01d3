#pragma once
// n-step returns for off-policy learners (DQN's n_step, Hessel et al. 2018 "Rainbow"), after
// RLlib's adjust_nstep (rllib/evaluation/postprocessing.py), with two corrections: sums never
// cross an episode boundary inside the batch, and each row records the discount its bootstrap
// needs ("n_step_discounts").

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "rlpp/data/advantages.hpp"
#include "rlpp/data/sample_batch.hpp"

namespace rlpp {

// Rewrites the batch in place so row t describes the n-step transition starting at t. Within
// each episode piece [b, e) (split as in SampleBatch::for_each_episode: eps_id changes and
// dones / terminateds / truncateds), with k = min(n_step, e - t) rewards available:
//   rewards_t          = sum_{j<k} gamma^j r_{t+j}
//   new_obs_t          = new_obs_{t+k-1}                (if the batch has new_obs)
//   dones/terminateds/truncateds_t = that of row t+k-1  (those present)
//   n_step_discounts_t = gamma^k                        (new float32 column)
// The learner's target is then rewards_t + n_step_discounts_t * (1 - terminateds_t) * Q(new_obs_t).
// Why the extra column: RLlib bootstraps every row with gamma^n, but a row within n steps of a
// truncation (time limit) or of the fragment's end summed only k < n rewards, so gamma^n
// under-weights its bootstrap; rows ending in termination do not bootstrap at all.
// RLlib asserts that no done appears inside the batch; here a batch may hold several episodes.
// Cost: O(count * n_step), in place, no allocation once n_step_discounts exists.
inline void adjust_nstep(int n_step, float gamma, SampleBatch& batch) {
  if (n_step < 1)
    throw BatchError("adjust_nstep", "n_step is " + std::to_string(n_step), "use n_step >= 1");
  const std::size_t n = static_cast<std::size_t>(n_step);
  detail::scalar_column(batch, "rewards", "adjust_nstep");  // present, float32, one per row
  float* rewards = batch.get<float>("rewards").data();
  auto discounts = detail::scalar_output(batch, "n_step_discounts");

  float* new_obs = nullptr;
  std::size_t width = 0;
  if (batch.contains("new_obs")) {
    Column& column = batch.column("new_obs");
    new_obs = column.get<float>("new_obs").data();
    width = column.row_size();
  }
  bool* flags[3] = {};
  const char* flag_names[3] = {"dones", "terminateds", "truncateds"};
  for (int f = 0; f < 3; ++f)
    if (batch.contains(flag_names[f])) flags[f] = batch.get<bool>(flag_names[f]).data();

  // Ascending t reads rows >= t only and writes row t only, so the rewrite is safe in place; and
  // for_each_episode has read every flag of a piece before it hands the piece over.
  batch.for_each_episode([&](std::size_t begin, std::size_t end) {
    for (std::size_t t = begin; t < end; ++t) {
      const std::size_t k = std::min(n, end - t);
      double sum = 0.0, power = 1.0;  // power = gamma^j
      for (std::size_t j = 0; j < k; ++j, power *= static_cast<double>(gamma)) sum += power * static_cast<double>(rewards[t + j]);
      rewards[t] = static_cast<float>(sum);
      discounts[t] = static_cast<float>(power);  // gamma^k
      const std::size_t last = t + k - 1;
      if (last != t) {
        if (new_obs != nullptr) std::copy_n(new_obs + last * width, width, new_obs + t * width);
        for (bool* flag : flags)
          if (flag != nullptr) flag[t] = flag[last];
      }
    }
  });
}

}  // namespace rlpp
