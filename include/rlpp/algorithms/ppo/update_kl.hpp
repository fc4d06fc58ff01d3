#pragma once
// UpdateKL (RLlib's ppo.UpdateKL): after TrainOneStep, each trainable policy of the local worker
// adapts its KL coefficient to the "kl" learner stat of the step (KLCoeffMixin::update_kl).
// A policy without data in this step keeps its coefficient. Passes the item through.

#include <string>

#include "rlpp/core/error.hpp"
#include "rlpp/execution/pipeline.hpp"
#include "rlpp/execution/plan_context.hpp"
#include "rlpp/execution/train_ops.hpp"

namespace rlpp::ppo {

namespace detail {
struct UpdateKLFn {
  PlanContext* ctx;
  TrainedBatch operator()(TrainedBatch item) const {
    RolloutWorker& local = ctx->workers.local_worker();
    for (const std::string& id : local.policies_to_train()) {
      if (!item.info.contains(id)) continue;
      const Json& stats = item.info[id].value("learner_stats", Json::object());
      if (!stats.contains("kl") || !stats["kl"].is_number())
        throw Error("UpdateKL: policy '" + id + "'", "the learner stats have no \"kl\"",
                    "the policy's loss must record the mean KL (ppo::Loss does)");
      local.policy(id).update_kl(stats["kl"].get<double>());
    }
    return item;
  }
};
}  // namespace detail

inline ForEach<detail::UpdateKLFn> UpdateKL(PlanContext& ctx) { return {{&ctx}}; }

}  // namespace rlpp::ppo
