// Built against an installed rlpp by scripts/test-install.sh: the umbrella header compiles from
// the install tree, a registered env steps, and a policy built by type acts on it.
#include <cstdio>
#include <vector>

#include <rlpp/rlpp.hpp>

int main() {
  rlpp::AnyEnv env = rlpp::make_env("CartPole-v1");
  using Policy = rlpp::build_policy<"ConsumerPolicy">;  // acting only: catalog model, distribution, exploration
  Policy policy(env.observation_space(), env.action_space(), {{"model", {{"fcnet_hiddens", {8}}}}});
  auto obs = env.reset(42).observation;
  int steps = 0;
  for (bool done = false; !done; ++steps) {
    const float action = policy.compute_single_action(obs).actions(0, 0);
    auto step = env.step({action});
    done = step.done();
    obs = step.observation;
  }
  std::printf("consumer: CartPole-v1 episode of %d steps with a policy, %zu observation values\n", steps, obs.size());
  return steps > 0 && obs.size() == 4 ? 0 : 1;
}
