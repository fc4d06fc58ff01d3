// RLlib's rock_paper_scissors_multiagent.py in C++: player1 is learned by RLlib's PG trainer,
// player2 is RLlib's scripted "always_same" heuristic (a random move per episode, kept
// throughout). The policy map and the mapping fn are C++ objects given to the trainer;
// policies_to_train comes from the JSON config. Exits non-zero if the learned policy does not
// come to beat always_same clearly.
#include <cstdio>
#include <string>

#include <rlpp/algorithms/pg/pg.hpp>
#include <rlpp/evaluation/heuristic_policy.hpp>

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
  multiagent.policies["learned"] = rlpp::PolicySpec{};  // the trainer's policy: PG
  multiagent.policies["always_same"] = rlpp::PolicySpec{rlpp::policy_factory<AlwaysSame>(), {}, {}, rlpp::Json::object()};
  multiagent.policy_mapping_fn = [](const rlpp::AgentId& agent, const rlpp::Episode&, const rlpp::RolloutWorker&) {
    return agent == "player1" ? std::string("learned") : std::string("always_same");
  };
  rlpp::pg::Trainer trainer({{"env", "RockPaperScissors"},
                             {"num_workers", 2},
                             {"num_envs_per_worker", 4},
                             {"rollout_fragment_length", 20},
                             {"train_batch_size", 160},
                             {"metrics_smoothing_episodes", 40},
                             {"seed", 0},
                             {"lr", 0.03},
                             {"gamma", 0.9},
                             {"model", {{"fcnet_hiddens", {16}}}},
                             {"multiagent", {{"policies_to_train", {"learned"}}}}},
                            {.multiagent = multiagent});
  double reward = 0.0;
  for (int iteration = 1; iteration <= 40; ++iteration) {
    const rlpp::Json result = trainer.train();
    reward = result["policy_reward_mean"]["learned"].get<double>();
    std::printf("iter %2d  env steps %5lld  learned %+5.2f  always_same %+5.2f\n", iteration,
                result["timesteps_total"].get<long long>(), reward, result["policy_reward_mean"]["always_same"].get<double>());
    if (iteration >= 10 && reward > 7.0) break;
  }
  // Random play scores 0 per 10-step episode; a policy that always beats the repeated move about 9.3.
  std::printf("learned policy's mean reward per episode: %.2f\n", reward);
  return reward > 5.0 ? 0 : 1;
}
