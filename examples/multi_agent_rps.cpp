// RLlib's rock_paper_scissors_multiagent.py in C++: player1 is a learned policy-gradient policy,
// player2 RLlib's scripted "always_same" heuristic (a random move per episode, kept throughout).
// The policy map, the mapping fn and policies_to_train go to a WorkerSet; the training loop is
// written out by hand: sample per policy, learn on the learned policy's batch, sync weights.
// Exits non-zero if the learned policy does not come to beat always_same clearly.
#include <cstdio>
#include <string>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/evaluation/heuristic_policy.hpp>
#include <rlpp/evaluation/worker_set.hpp>
#include <rlpp/policy/postprocessors.hpp>

namespace ad = rlpp::ad;
namespace cols = rlpp::cols;

// RLlib's PG: -mean(logp(actions) * discounted returns).
struct PolicyGradientLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    return -ad::mean(dist.logp(c[cols::actions]) * c[cols::advantages]);
  }
};
using PG = rlpp::build_policy<"PG", rlpp::loss<PolicyGradientLoss>, rlpp::postprocess<rlpp::discounted_returns>>;

// AlwaysSameHeuristic: the move is drawn at the episode's first step and carried in the policy's
// recurrent state (-1 = not drawn yet), which the worker resets for every new episode.
struct AlwaysSame : rlpp::HeuristicPolicy<AlwaysSame> {
  AlwaysSame(const rlpp::Space& obs, const rlpp::Space& act, const rlpp::Json& config, const rlpp::PolicyContext& ctx)
      : HeuristicPolicy(obs, act, config, ctx, {rlpp::nn::Matrix::Constant(1, 1, -1.0f)}) {}
  void compute_heuristic_actions(const rlpp::nn::Matrix& obs, std::span<const rlpp::nn::Matrix> state,
                                 rlpp::ComputedActions& out) override {
    for (Eigen::Index r = 0; r < obs.rows(); ++r) {
      float move = state[0](r, 0);
      if (move < 0.0f) move = static_cast<float>(rng().below(3));
      out.actions(r, 0) = move;
      out.state_out[0](r, 0) = move;
    }
  }
};

int main() {
  rlpp::MultiAgentSpec multiagent;
  multiagent.policies["learned"] = rlpp::PolicySpec{};  // built by the default factory (PG)
  multiagent.policies["always_same"] = rlpp::PolicySpec{rlpp::policy_factory<AlwaysSame>(), {}, {}, rlpp::Json::object()};
  multiagent.policy_mapping_fn = [](const rlpp::AgentId& agent, const rlpp::Episode&, const rlpp::RolloutWorker&) {
    return agent == "player1" ? std::string("learned") : std::string("always_same");
  };
  const rlpp::Json config{{"num_workers", 2},
                          {"num_envs_per_worker", 4},
                          {"rollout_fragment_length", 20},
                          {"seed", 0},
                          {"lr", 0.03},
                          {"gamma", 0.9},
                          {"model", {{"fcnet_hiddens", {16}}}},
                          {"multiagent", {{"policies_to_train", {"learned"}}}}};
  rlpp::WorkerSet workers(rlpp::env_source("RockPaperScissors"), rlpp::policy_factory<PG>(), config, nullptr, 0,
                          multiagent);
  rlpp::RolloutWorker& local = workers.local_worker();
  rlpp::EpisodeHistory history(40);
  double reward = 0.0;
  for (int iteration = 0; iteration < 40; ++iteration) {
    const std::vector<rlpp::MultiAgentBatch> parts = workers.sample_multi_agent();
    const rlpp::MultiAgentBatch batch = rlpp::concat_samples(std::span<const rlpp::MultiAgentBatch>(parts));
    for (const std::string& id : local.policies_to_train()) local.policy(id).learn_on_batch(batch.policy(id));
    workers.sync_weights();
    const rlpp::Json metrics = history.summarize(workers.collect_metrics());
    reward = metrics["policy_reward_mean"]["learned"].get<double>();
    std::printf("iter %2d  env steps %4zu  agent steps %4zu  learned %+5.2f  always_same %+5.2f\n", iteration,
                batch.env_steps, batch.agent_steps(), reward,
                metrics["policy_reward_mean"]["always_same"].get<double>());
    if (iteration >= 10 && reward > 7.0) break;
  }
  // Random play scores 0 per 10-step episode; a policy that always beats the repeated move about 9.3.
  std::printf("learned policy's mean reward per episode: %.2f\n", reward);
  return reward > 5.0 ? 0 : 1;
}
