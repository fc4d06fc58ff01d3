#pragma once
// `rlpp rollout`: RLlib's `rllib rollout` (RLlib reference 3.3). Restores a checkpoint into a
// trainer built from the checkpoint's config (merged with its evaluation_config, then --config),
// steps a fresh env with compute_single_action (recurrent state carried), prints
// "Episode #N: reward: R" per episode and optionally writes the episodes as JSON lines.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/cli/args.hpp"
#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/trainer/checkpoint.hpp"
#include "rlpp/trainer/detail/text_format.hpp"
#include "rlpp/trainer/registry.hpp"

namespace rlpp::cli {

inline constexpr std::string_view rollout_help =
    R"(usage: rlpp rollout [CHECKPOINT] [--run ALGO] [--env ENV] [--steps N] [--episodes N]
                    [--out FILE] [--config JSON]

Rolls out a trained policy: builds the trainer from the checkpoint's config (merged with its
"evaluation_config", then with --config), restores CHECKPOINT (a checkpoint_<N> directory or a
file in it), and steps a fresh env with compute_single_action, carrying recurrent state.
Prints "Episode #N: reward: R" per episode (N counts from 0; an episode cut off by --steps is
printed too). Without CHECKPOINT an untrained trainer is used (--run and --env required).

options:
  --run ALGO         algorithm (default: the checkpoint's); must match the checkpoint
  --env ENV          environment (default: the checkpoint config's "env")
  --steps N          env steps to roll out; 0 = unlimited (default 10000)
  --episodes N       complete episodes to roll out; 0 = unlimited (default 0);
                     rollout stops at the first limit reached
  --out FILE         write the episodes, one JSON line each: a list of steps
                     [obs, action, next_obs, reward, done] (written atomically at the end)
  --config JSON      config merged over the checkpoint's; "explore" decides exploration
                     (evaluation_config usually sets it false)
  --no-render        accepted for compatibility (rlpp does not render)
  -h, --help         this help
)";

// Merges `patch` into `base` recursively (RLlib's merge_dicts): objects merge key by key, any
// other value replaces.
inline void deep_merge(Json& base, const Json& patch) {
  if (!base.is_object() || !patch.is_object()) {
    base = patch;
    return;
  }
  for (const auto& [key, value] : patch.items()) {
    if (value.is_object() && base.contains(key) && base[key].is_object()) deep_merge(base[key], value);
    else base[key] = value;
  }
}

struct RolloutOptions {
  std::filesystem::path checkpoint;  // empty: an untrained trainer
  std::string run;                   // empty: the checkpoint's trainer
  std::string env;                   // empty: config["env"]
  std::int64_t steps = 10000;        // 0 = unlimited
  std::int64_t episodes = 0;         // 0 = unlimited
  std::filesystem::path out;         // empty: no file
  Json config = Json::object();
};

struct RolloutSummary {
  std::int64_t steps = 0;
  std::int64_t episodes = 0;             // complete episodes
  std::vector<double> episode_rewards;   // every episode printed, the unfinished last one included
};

// The rollout loop behind `rlpp rollout`; prints the episode lines to `out`.
inline RolloutSummary rollout(const RolloutOptions& options, std::ostream& out) {
  Json config = Json::object();
  std::string run = options.run;
  if (!options.checkpoint.empty()) {
    const Json metadata = read_checkpoint_metadata(options.checkpoint);
    const std::string trainer = metadata.at("trainer").get<std::string>();
    if (run.empty()) run = trainer;
    else if (run != trainer)
      throw UsageError("--run " + run, "does not match the checkpoint, written by " + trainer,
                       "leave out --run or pass --run " + trainer);
    config = metadata.at("config");
    if (!config.is_object()) config = Json::object();
    if (!config.contains("env") && metadata.contains("env") && metadata["env"].is_string()) config["env"] = metadata["env"];
  }
  if (run.empty()) throw UsageError("rlpp rollout", "--run is required without a checkpoint", "see `rlpp algorithms`");
  if (config.contains("evaluation_config") && config["evaluation_config"].is_object()) {
    const Json evaluation = config["evaluation_config"];
    deep_merge(config, evaluation);
  }
  deep_merge(config, options.config);
  if (!options.env.empty()) config["env"] = options.env;
  if (!config.contains("env") || !config["env"].is_string())
    throw UsageError("rlpp rollout", "no env: the checkpoint's config has none", "pass --env, e.g. --env CartPole-v1");
  const std::string env_name = config["env"].get<std::string>();
  if (!global_env_registry().contains(env_name)) (void)make_env(env_name);  // throws, listing the envs
  if (global_env_registry().is_multi_agent(env_name))
    throw UsageError("env '" + env_name + "'", "is multi-agent; rlpp rollout steps single-agent envs only");

  auto trainer = make_trainer(run, config);
  if (!options.checkpoint.empty()) trainer->restore(options.checkpoint);

  EnvContext context;
  if (config.contains("env_config") && config["env_config"].is_object()) context.env_config = config["env_config"];
  AnyEnv env = make_env(env_name, context);
  std::optional<bool> explore;
  if (config.contains("explore") && config["explore"].is_boolean()) explore = config["explore"].get<bool>();
  Seed seed;
  if (config.contains("seed") && config["seed"].is_number_integer()) seed = config["seed"].get<std::uint64_t>();

  const std::size_t obs_size = env.observation_size();
  std::vector<float> obs(obs_size), next_obs(obs_size);
  RolloutSummary summary;
  std::string lines;  // --out, one JSON line per episode
  auto keep_going = [&] {
    if (options.episodes > 0 && summary.episodes >= options.episodes) return false;
    if (options.steps > 0 && summary.steps >= options.steps) return false;
    return true;
  };
  while (keep_going()) {
    env.reset_into(seed, obs);
    seed.reset();  // the first episode is seeded; later ones continue the env's stream
    std::vector<nn::Matrix> state = trainer->get_initial_state(default_policy_id);
    Json steps = Json::array();
    double reward_total = 0.0;
    bool done = false;
    while (!done && keep_going()) {
      SingleAction action = trainer->compute_single_action(obs, state, explore, default_policy_id);
      const FlatStep step = env.step_into(action.action, next_obs);
      done = step.done();
      reward_total += step.reward;
      if (!options.out.empty()) steps.push_back(Json::array({obs, action.action, next_obs, step.reward, done}));
      state = std::move(action.state_out);
      obs.swap(next_obs);
      ++summary.steps;
    }
    out << "Episode #" << summary.episodes << ": reward: " << rlpp::detail::python_float_repr(reward_total) << "\n";
    summary.episode_rewards.push_back(reward_total);
    if (!options.out.empty()) lines += steps.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    if (done) ++summary.episodes;
  }
  if (!options.out.empty()) write_file_atomically(options.out, std::as_bytes(std::span<const char>(lines.data(), lines.size())));
  return summary;
}

namespace detail {
inline constexpr FlagSpec rollout_flags[] = {{"--run"},   {"--env"},           {"--steps"},          {"--episodes"},
                                             {"--out"},   {"--config"},        {"--no-render", false}, {"--help", false, "-h"}};
}  // namespace detail

// `rlpp rollout ARGS...`: 0 on success; errors are thrown (cli::run prints them).
inline int rollout(std::span<const std::string> words, std::ostream& out, std::ostream& /*err*/) {
  const ParsedArgs args = parse_args("rlpp rollout", words, detail::rollout_flags);
  if (args.has("--help")) {
    out << rollout_help;
    return 0;
  }
  if (args.positional.size() > 1)
    throw UsageError("rlpp rollout", "unexpected argument '" + args.positional[1] + "'", "pass one checkpoint");
  RolloutOptions options;
  if (!args.positional.empty()) options.checkpoint = expand_user(args.positional.front());
  if (const auto* run = args.get("--run")) options.run = *run;
  if (const auto* env = args.get("--env")) options.env = *env;
  if (const auto* n = args.get("--steps")) options.steps = parse_count_flag("--steps", *n);
  if (const auto* n = args.get("--episodes")) options.episodes = parse_count_flag("--episodes", *n);
  if (const auto* file = args.get("--out")) options.out = expand_user(*file);
  if (const auto* config = args.get("--config")) {
    options.config = parse_json_flag("--config", *config);
    if (!options.config.is_object()) throw UsageError("--config", "expected a JSON object, got " + options.config.dump());
  }
  (void)rollout(options, out);
  return 0;
}

}  // namespace rlpp::cli
