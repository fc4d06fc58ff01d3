// The custom-environment tutorial (RLlib's SimpleCorridor) in rlpp: a plain class with its two
// spaces, reset() and step(), registered by name with an env_config, then run under a VectorEnv.
//
//   build/release/examples/custom_env
#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <rlpp/envs/registry.hpp>
#include <rlpp/envs/vector_env.hpp>

// Walk right down a corridor of `corridor_length` cells; reaching the end pays a random reward.
class SimpleCorridor {
 public:
  explicit SimpleCorridor(const rlpp::EnvContext& ctx)
      : end_pos_(ctx.get<double>("corridor_length", 5.0)) {}

  rlpp::Discrete action_space() const { return rlpp::Discrete(2); }  // 0: left, 1: right
  rlpp::Box observation_space() const { return rlpp::Box(0.0, end_pos_, {1}); }

  std::array<float, 1> reset(rlpp::Seed seed) {
    if (seed) rng_ = rlpp::RandomStream(*seed);
    cur_pos_ = 0;
    return {0.0f};
  }

  rlpp::Step<std::array<float, 1>> step(std::int64_t action) {
    if (action == 0 && cur_pos_ > 0) cur_pos_ -= 1;
    if (action == 1) cur_pos_ += 1;
    const bool done = cur_pos_ >= end_pos_;
    return {.observation = {static_cast<float>(cur_pos_)},
            .reward = done ? rng_.uniform() * 2 : -0.1,
            .terminated = done};
  }

 private:
  double end_pos_;
  double cur_pos_ = 0;
  rlpp::RandomStream rng_;
};

int main() {
  // Registered by name, as RLlib's register_env: the creator receives the EnvContext.
  rlpp::register_env("corridor", [](const rlpp::EnvContext& ctx) { return SimpleCorridor(ctx); });

  rlpp::EnvContext context;
  context.env_config = {{"corridor_length", 10}};
  rlpp::VectorEnvOptions options;
  options.seed = 42;
  options.env_name = "corridor";
  rlpp::VectorEnv<rlpp::AnyEnv> envs(
      8, [&](const rlpp::EnvContext& ctx) { return rlpp::make_env("corridor", ctx); }, options, context);
  std::printf("corridor: %zu sub-envs, observation %s, action %s\n", envs.num_envs(),
              envs.observation_space().to_string().c_str(), envs.action_space().to_string().c_str());

  // A policy that walks right 80% of the time.
  rlpp::RandomStream policy_rng(7);
  std::vector<float> actions(envs.num_envs());
  int episodes = 0;
  double returns = 0, current[8] = {};
  envs.reset();
  for (int t = 0; t < 500; ++t) {
    for (auto& a : actions) a = policy_rng.uniform() < 0.8 ? 1.0f : 0.0f;
    envs.step_flat(actions);
    for (std::size_t i = 0; i < envs.num_envs(); ++i) {
      current[i] += envs.rewards()[i];
      if (envs.episode_ended()[i]) {
        ++episodes;
        returns += current[i];
        current[i] = 0;
      }
    }
  }
  std::printf("corridor: %d episodes in 500 vector steps, mean return %.3f\n", episodes, returns / episodes);
  return episodes > 0 ? 0 : 1;
}
