// The first program of docs/getting-started.md: one env by name, then 256 typed CartPoles.
#include <cstdio>
#include <vector>

#include <rlpp/envs/classic_control/cartpole.hpp>
#include <rlpp/envs/registry.hpp>
#include <rlpp/envs/vector_env.hpp>

int main() {
  // One env by name, type-erased (observations and actions as flat float vectors).
  rlpp::AnyEnv env = rlpp::make_env("CartPole-v1");
  auto obs = env.reset(42).observation;  // std::vector<float> of 4
  auto step = env.step({1.0f});           // push right
  std::printf("obs size %zu, reward %.1f, terminated %d\n", obs.size(), step.reward, step.terminated);

  // 256 typed CartPoles stepped together, in parallel, allocation-free.
  rlpp::VectorEnv<rlpp::CartPole> envs(256, [](const rlpp::EnvContext& ctx) { return rlpp::CartPole(ctx); },
                                       {.seed = 1, .num_threads = 2});
  envs.reset();
  std::vector<std::int64_t> actions(256, 0);
  envs.step(actions);
  std::printf("%zu observations of %zu floats\n", envs.num_envs(), envs.observation_size());
  return 0;
}
