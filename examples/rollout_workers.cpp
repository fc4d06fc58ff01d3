// RLlib's "standalone WorkerSet" pattern without a trainer: rollout workers sample CartPole in
// parallel with copies of the policy, the batches are concatenated, the local worker's policy
// learns on them, and the new weights are broadcast back. (The trainer's execution plan runs
// exactly this loop: ParallelRollouts | ConcatBatches | TrainOneStep.)
#include <cstdio>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/evaluation/metrics.hpp>
#include <rlpp/evaluation/worker_set.hpp>
#include <rlpp/policy/postprocessors.hpp>

namespace ad = rlpp::ad;
namespace cols = rlpp::cols;

// Advantage actor-critic: policy gradient with GAE advantages plus a value-function loss.
struct ActorCriticLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    const ad::Var policy_loss = -ad::mean(dist.logp(c[cols::actions]) * c[cols::advantages]);
    const ad::Var vf_loss = ad::mean(ad::square(c.value_function() - c[cols::value_targets]));
    const ad::Var entropy = ad::mean(dist.entropy());
    c.record("policy_loss", policy_loss);
    c.record("vf_loss", vf_loss);
    return policy_loss + 0.5f * vf_loss - 0.01f * entropy;
  }
};
using A2CPolicy = rlpp::build_policy<"A2CPolicy", rlpp::loss<ActorCriticLoss>,
                                     rlpp::postprocess<rlpp::generalized_advantages>>;

int main() {
  const rlpp::Json config = {{"num_workers", 2},          {"num_envs_per_worker", 4},
                             {"rollout_fragment_length", 50}, {"lr", 0.003},
                             {"lambda", 0.95},            {"seed", 0},
                             {"grad_clip", 10.0},         {"model", {{"fcnet_hiddens", {32, 32}}, {"vf_share_layers", false}}}};
  rlpp::WorkerSet workers(rlpp::env_creator("CartPole-v1"), rlpp::policy_factory<A2CPolicy>(), config);
  rlpp::EpisodeHistory history(20);
  double reward_mean = 0.0;
  std::int64_t steps = 0;
  for (int iteration = 0; iteration < 150 && reward_mean < 150.0; ++iteration) {
    workers.sync_weights(steps);                                // broadcast the latest weights
    const auto batches = workers.sample();                      // sample in parallel
    const rlpp::SampleBatch train_batch = rlpp::concat_samples(std::span<const rlpp::SampleBatch>(batches));
    steps += static_cast<std::int64_t>(train_batch.count());
    const auto info = workers.local_worker().policy().learn_on_batch(train_batch);
    const rlpp::Json result = history.summarize(workers.collect_metrics());
    if (!result["episode_reward_mean"].is_null()) reward_mean = result["episode_reward_mean"].get<double>();
    if (iteration % 5 == 0)
      std::printf("iter %2d  steps %6lld  episode_reward_mean %6.1f  vf_loss %7.3f\n", iteration,
                  static_cast<long long>(steps), reward_mean, info["learner_stats"]["vf_loss"].get<double>());
  }
  std::printf("final episode_reward_mean %.1f after %lld steps\n", reward_mean, static_cast<long long>(steps));
  return reward_mean >= 150.0 ? 0 : 1;
}
