#pragma once
// A2C (RLlib's rllib/agents/a3c/a2c.py): A3C's policy trained synchronously. Default plan:
//   ParallelRollouts(bulk_sync) | ConcatBatches(train_batch_size) | TrainOneStep
// With microbatch_size: gradients of microbatches summed until train_batch_size steps, applied once:
//   ParallelRollouts | ConcatBatches(microbatch_size) | ComputeGradients
//   | batch(ceil(train_batch_size / microbatch_size)) | AverageGradients | ApplyGradients

#include <cmath>

#include "rlpp/algorithms/a3c/a3c.hpp"

namespace rlpp::a2c {

struct Config {
  static Json defaults() {
    Json c = a3c::Config::defaults();
    c["rollout_fragment_length"] = 20;
    c["min_iter_time_s"] = 10;
    c["sample_async"] = false;
    c["microbatch_size"] = nullptr;
    return c;
  }
};

struct Plan {
  auto operator()(PlanContext& ctx) const {
    const rlpp::Config& c = ctx.config;
    const std::int64_t train_batch_size = c.positive_int("train_batch_size");
    // One plan type for both variants: without microbatch_size the microbatch is the whole
    // train batch, so its gradient is computed and applied once per batch.
    const std::int64_t microbatch = c.json()["microbatch_size"].is_null() ? train_batch_size : c.positive_int("microbatch_size");
    const auto num_microbatches = static_cast<std::size_t>((train_batch_size + microbatch - 1) / microbatch);
    return ParallelRollouts(ctx) | ConcatBatches(microbatch) | ComputeGradients(ctx) | batch(num_microbatches) |
           AverageGradients() | ApplyGradients(ctx) | StandardMetricsReporting(ctx);
  }
};

using Policy = a3c::Policy;
using Trainer = build_trainer<"A2C", default_config<Config>, default_policy<Policy>, execution_plan<Plan>>;

}  // namespace rlpp::a2c
