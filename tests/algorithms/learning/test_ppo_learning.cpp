// PPO learning tests (ctest label `learning`): RLlib's tuned examples (reference 1.2), CleanRL's
// CartPole configuration to 475, memory on StatelessCartPole with an LSTM, and four policies on
// MultiAgentCartPole. Each for several seeds, each run printing its steps and wall time.
#include <doctest/doctest.h>

#include <string>

#include <rlpp/algorithms/ppo/ppo.hpp>

#include "learning_support.hpp"

using rlpp::Json;
using rlpp::test::LearningRun;
using rlpp::test::report;
using rlpp::test::train_until;
using rlpp::test::with;

TEST_CASE("PPO reaches 150 on CartPole-v1 within 100k steps (RLlib's cartpole-ppo.yaml)") {
  for (std::int64_t seed : {42, 1, 2}) {
    const LearningRun run = train_until<rlpp::ppo::Trainer>(with(rlpp::ppo::tuned::cartpole_ppo(), {{"seed", seed}}), 150.0, 100000);
    report("PPO cartpole", seed, 150.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("PPO reaches -500 on Pendulum-v1 within 400k steps (RLlib's pendulum-ppo.yaml)") {
  for (std::int64_t seed : {42, 1, 2}) {
    const LearningRun run = train_until<rlpp::ppo::Trainer>(with(rlpp::ppo::tuned::pendulum_ppo(), {{"seed", seed}}), -500.0, 400000);
    report("PPO pendulum", seed, -500.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("PPO with CleanRL's CartPole-v1 configuration averages >= 475 over the last 100 episodes after 500k steps") {
  for (std::int64_t seed : {1, 2, 3}) {
    const Json config = with(rlpp::ppo::tuned::cleanrl_cartpole(500000), {{"seed", seed}});
    // No early stop: the whole budget, then the mean return of the last 100 episodes.
    LearningRun run = train_until<rlpp::ppo::Trainer>(config, 1e9, 500000);
    run.reached = run.reward >= 475.0;
    report("PPO cleanrl cartpole", seed, 475.0, run);
    CHECK(run.reward >= 475.0);
  }
}

TEST_CASE("PPO with an LSTM reaches 150 on StatelessCartPole (memory works)") {
  for (std::int64_t seed : {42, 1}) {
    const Json config{{"env", "StatelessCartPole"},
                      {"seed", seed},
                      {"gamma", 0.99},
                      {"lr", 0.0003},
                      {"num_workers", 0},
                      {"num_envs_per_worker", 4},
                      {"rollout_fragment_length", 200},
                      {"train_batch_size", 2000},
                      {"sgd_minibatch_size", 200},
                      {"num_sgd_iter", 5},
                      {"vf_loss_coeff", 0.001},
                      {"entropy_coeff", 0.001},
                      {"model", {{"fcnet_hiddens", {64}}, {"use_lstm", true}, {"lstm_cell_size", 64}, {"max_seq_len", 20}}}};
    const LearningRun run = train_until<rlpp::ppo::Trainer>(config, 150.0, 400000);
    report("PPO lstm stateless", seed, 150.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("PPO with one policy per agent reaches 600 on MultiAgentCartPole (4 agents) within 200k steps") {
  for (std::int64_t seed : {42, 1}) {
    const Json config = with(rlpp::ppo::tuned::cartpole_ppo(),
                             {{"env", "MultiAgentCartPole"},
                              {"env_config", {{"num_agents", 4}}},
                              {"seed", seed},
                              {"multiagent", {{"policies", {"p0", "p1", "p2", "p3"}}, {"policy_mapping_fn", "p{agent_id}"}}}});
    const LearningRun run = train_until<rlpp::ppo::Trainer>(config, 600.0, 200000);
    report("PPO multi-agent", seed, 600.0, run);
    CHECK(run.reached);
  }
}
