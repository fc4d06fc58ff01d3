// The stock `rlpp` command line.
//   rlpp envs                      list the registered envs and their spaces
//   rlpp demo [options]            step a vectorized env with random actions, printing progress
//     --env NAME        registered env id (default CartPole-v1)
//     --num-envs N      sub-envs in the VectorEnv (default 4096)
//     --threads T       threads stepping them; 0 = all cores (default 0)
//     --steps S         total env steps (default 100000000)
//     --seed SEED       (default 0)
//     --env-config JSON env_config for the env creator (default {})
//     --no-check        skip the action/observation/reward checks
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <rlpp/core/timer.hpp>
#include <rlpp/envs/registry.hpp>
#include <rlpp/envs/vector_env.hpp>

namespace {

int usage(const char* message = nullptr) {
  if (message) std::fprintf(stderr, "rlpp: %s\n\n", message);
  std::fprintf(stderr,
               "usage: rlpp envs\n"
               "       rlpp demo [--env NAME] [--num-envs N] [--threads T] [--steps S] [--seed SEED]\n"
               "                 [--env-config JSON] [--no-check]\n");
  return 2;
}

int list_envs() {
  for (const auto& name : rlpp::global_env_registry().names()) {
    if (rlpp::global_env_registry().is_multi_agent(name)) {
      std::printf("%-28s multi-agent\n", name.c_str());
      continue;
    }
    const auto env = rlpp::make_env(name);
    std::printf("%-28s obs %-48s action %s\n", name.c_str(), env.observation_space().to_string().c_str(),
                env.action_space().to_string().c_str());
  }
  return 0;
}

std::int64_t parse_int(std::string_view flag, const char* text) {
  char* end = nullptr;
  const double value = std::strtod(text, &end);  // accepts 2e7
  if (end == text || *end != '\0' || value < 0)
    throw rlpp::ConfigError(std::string(flag), "expected a non-negative number, got '" + std::string(text) + "'");
  return static_cast<std::int64_t>(value);
}

int demo(int argc, char** argv) {
  std::string env_name = "CartPole-v1";
  std::int64_t num_envs = 4096, threads = 0, total_steps = 100'000'000, seed = 0;
  rlpp::EnvContext context;
  bool check = true;
  for (int i = 2; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--no-check") {
      check = false;
      continue;
    }
    if (i + 1 >= argc) return usage(("missing value after " + std::string(flag)).c_str());
    const char* value = argv[++i];
    if (flag == "--env") env_name = value;
    else if (flag == "--num-envs") num_envs = parse_int(flag, value);
    else if (flag == "--threads") threads = parse_int(flag, value);
    else if (flag == "--steps") total_steps = parse_int(flag, value);
    else if (flag == "--seed") seed = parse_int(flag, value);
    else if (flag == "--env-config") context.env_config = rlpp::Json::parse(value);
    else return usage(("unknown option " + std::string(flag)).c_str());
  }
  if (num_envs < 1) return usage("--num-envs must be at least 1");

  rlpp::VectorEnvOptions options;
  options.seed = static_cast<std::uint64_t>(seed);
  options.num_threads = static_cast<int>(threads);
  options.check_env = check;
  options.env_name = env_name;
  rlpp::VectorEnv<rlpp::AnyEnv> envs(
      static_cast<std::size_t>(num_envs),
      [&](const rlpp::EnvContext& ctx) { return rlpp::make_env(env_name, ctx); }, options, context);
  std::printf("rlpp demo: %s x %zu sub-envs, %s threads, random actions\n  observation %s\n  action      %s\n",
              env_name.c_str(), envs.num_envs(), threads == 0 ? "all" : std::to_string(threads).c_str(),
              envs.observation_space().to_string().c_str(), envs.action_space().to_string().c_str());

  const std::size_t n = envs.num_envs(), action_size = envs.action_size();
  std::vector<float> actions(n * action_size);
  std::vector<double> episode_return(n, 0.0);
  std::vector<double> recent(100, 0.0);
  std::size_t finished = 0;
  rlpp::RandomStream action_rng(static_cast<std::uint64_t>(seed), 0, 0, "demo_actions");

  envs.reset();
  rlpp::Stopwatch total, since_report;
  std::int64_t steps = 0, steps_at_report = 0;
  while (steps < total_steps) {
    for (std::size_t i = 0; i < n; ++i)
      envs.action_space().sample(action_rng, std::span<float>(actions).subspan(i * action_size, action_size));
    envs.step_flat(actions);
    steps += static_cast<std::int64_t>(n);
    for (std::size_t i = 0; i < n; ++i) {
      episode_return[i] += envs.rewards()[i];
      if (envs.episode_ended()[i]) {
        recent[finished++ % recent.size()] = episode_return[i];
        episode_return[i] = 0.0;
      }
    }
    if (since_report.seconds() >= 0.5 || steps >= total_steps) {
      const std::size_t window = std::min(finished, recent.size());
      double mean = 0;
      for (std::size_t k = 0; k < window; ++k) mean += recent[k];
      if (window) mean /= static_cast<double>(window);
      std::printf("  steps %12lld | episodes %10zu | mean return (last %zu) %8.2f | %7.2f M steps/s\n",
                  static_cast<long long>(steps), finished, window, mean,
                  static_cast<double>(steps - steps_at_report) / since_report.seconds() / 1e6);
      std::fflush(stdout);
      since_report.restart();
      steps_at_report = steps;
    }
  }
  std::printf("rlpp demo: %lld steps in %.2f s: %.2f M env steps/s (random actions included)\n",
              static_cast<long long>(steps), total.seconds(), static_cast<double>(steps) / total.seconds() / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view command = argv[1];
  try {
    if (command == "envs") return list_envs();
    if (command == "demo") return demo(argc, argv);
    if (command == "--help" || command == "-h") return usage(), 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rlpp: error: %s\n", error.what());
    return 1;
  }
  return usage(("unknown command '" + std::string(command) + "'").c_str());
}
