// Built against an installed rlpp by scripts/test-install.sh: steps a registered env.
#include <cstdio>
#include <vector>

#include <rlpp/envs/registry.hpp>

int main() {
  rlpp::AnyEnv env = rlpp::make_env("CartPole-v1");
  auto obs = env.reset(42).observation;
  int steps = 0;
  for (bool done = false; !done; ++steps) {
    done = env.step({static_cast<float>(steps % 2)}).done();
  }
  std::printf("consumer: CartPole-v1 episode of %d steps, %zu observation values\n", steps, obs.size());
  return steps > 0 && obs.size() == 4 ? 0 : 1;
}
