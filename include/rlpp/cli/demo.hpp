#pragma once
// `rlpp demo`: steps a vectorized env with random actions, printing progress (a smoke test and a
// throughput benchmark of the envs). `rlpp envs`: the registered envs and their spaces.

#include <cstdint>
#include <cstdio>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/cli/args.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/envs/vector_env.hpp"

namespace rlpp::cli {

inline constexpr std::string_view demo_help =
    R"(usage: rlpp demo [--env NAME] [--num-envs N] [--threads T] [--steps S] [--seed SEED]
                 [--env-config JSON] [--no-check]

Steps a vectorized env with random actions, printing progress and env steps per second.
  --env NAME         registered env id (default CartPole-v1)
  --num-envs N       sub-envs in the VectorEnv (default 4096)
  --threads T        threads stepping them; 0 = all cores (default 0)
  --steps S          total env steps (default 100000000)
  --seed SEED        (default 0)
  --env-config JSON  env_config for the env creator (default {})
  --no-check         skip the action/observation/reward checks
)";

// `rlpp envs`: one line per registered env with its spaces.
inline int list_envs(std::ostream& out) {
  for (const auto& name : global_env_registry().names()) {
    char line[512];
    if (global_env_registry().is_multi_agent(name)) {
      std::snprintf(line, sizeof line, "%-28s multi-agent\n", name.c_str());
    } else {
      const auto env = make_env(name);
      std::snprintf(line, sizeof line, "%-28s obs %-48s action %s\n", name.c_str(), env.observation_space().to_string().c_str(),
                    env.action_space().to_string().c_str());
    }
    out << line;
  }
  return 0;
}

namespace detail {
inline constexpr FlagSpec demo_flags[] = {{"--env"},        {"--num-envs"},       {"--threads"},        {"--steps"},
                                          {"--seed"},       {"--env-config"},     {"--no-check", false}, {"--help", false, "-h"}};
}  // namespace detail

inline int demo(std::span<const std::string> words, std::ostream& out) {
  const ParsedArgs args = parse_args("rlpp demo", words, detail::demo_flags);
  if (args.has("--help")) {
    out << demo_help;
    return 0;
  }
  if (!args.positional.empty()) throw UsageError("rlpp demo", "unexpected argument '" + args.positional.front() + "'");
  std::string env_name = "CartPole-v1";
  std::int64_t num_envs = 4096, threads = 0, total_steps = 100'000'000, seed = 0;
  EnvContext context;
  if (const auto* v = args.get("--env")) env_name = *v;
  if (const auto* v = args.get("--num-envs")) num_envs = parse_count_flag("--num-envs", *v);
  if (const auto* v = args.get("--threads")) threads = parse_count_flag("--threads", *v);
  if (const auto* v = args.get("--steps")) total_steps = parse_count_flag("--steps", *v);
  if (const auto* v = args.get("--seed")) seed = parse_count_flag("--seed", *v);
  if (const auto* v = args.get("--env-config")) context.env_config = parse_json_flag("--env-config", *v);
  if (num_envs < 1) throw UsageError("--num-envs", "must be at least 1");

  VectorEnvOptions options;
  options.seed = static_cast<std::uint64_t>(seed);
  options.num_threads = static_cast<int>(threads);
  options.check_env = !args.has("--no-check");
  options.env_name = env_name;
  VectorEnv<AnyEnv> envs(
      static_cast<std::size_t>(num_envs), [&](const EnvContext& ctx) { return make_env(env_name, ctx); }, options, context);
  char line[512];
  std::snprintf(line, sizeof line, "rlpp demo: %s x %zu sub-envs, %s threads, random actions\n  observation %s\n  action      %s\n",
                env_name.c_str(), envs.num_envs(), threads == 0 ? "all" : std::to_string(threads).c_str(),
                envs.observation_space().to_string().c_str(), envs.action_space().to_string().c_str());
  out << line << std::flush;

  const std::size_t n = envs.num_envs(), action_size = envs.action_size();
  std::vector<float> actions(n * action_size);
  std::vector<double> episode_return(n, 0.0);
  std::vector<double> recent(100, 0.0);
  std::size_t finished = 0;
  RandomStream action_rng(static_cast<std::uint64_t>(seed), 0, 0, "demo_actions");

  envs.reset();
  Stopwatch total, since_report;
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
      std::snprintf(line, sizeof line, "  steps %12lld | episodes %10zu | mean return (last %zu) %8.2f | %7.2f M steps/s\n",
                    static_cast<long long>(steps), finished, window, mean,
                    static_cast<double>(steps - steps_at_report) / since_report.seconds() / 1e6);
      out << line << std::flush;
      since_report.restart();
      steps_at_report = steps;
    }
  }
  std::snprintf(line, sizeof line, "rlpp demo: %lld steps in %.2f s: %.2f M env steps/s (random actions included)\n",
                static_cast<long long>(steps), total.seconds(), static_cast<double>(steps) / total.seconds() / 1e6);
  out << line;
  return 0;
}

}  // namespace rlpp::cli
