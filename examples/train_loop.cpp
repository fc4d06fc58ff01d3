// The smallest training program: RLlib's PG on CartPole-v1 through the Trainer API, printing one
// progress line per iteration until the mean episode reward reaches 150.
#include <cstdio>

#include <rlpp/algorithms/pg/pg.hpp>
#include <rlpp/trainer/pretty_print.hpp>

int main() {
  rlpp::pg::Trainer trainer({{"env", "CartPole-v1"}, {"num_workers", 2}, {"seed", 42}, {"num_threads", 2}});
  for (int i = 0; i < 200; ++i) {
    const rlpp::Json result = trainer.train();
    std::printf("%s\n", rlpp::progress_line(result).c_str());
    if (result["episode_reward_mean"].is_number() && result["episode_reward_mean"].get<double>() >= 150.0) return 0;
  }
  std::fprintf(stderr, "PG did not reach a mean reward of 150\n");
  return 1;
}
