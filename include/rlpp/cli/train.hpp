#pragma once
// `rlpp train`: RLlib's `rllib train` (RLlib reference 3.1). One experiment from the flags, or
// the experiments of a JSON file (-f); every trial runs through run_trial, one after another.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/cli/args.hpp"
#include "rlpp/cli/experiment.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/trainer/pretty_print.hpp"
#include "rlpp/trainer/registry.hpp"
#include "rlpp/trainer/run_trial.hpp"

namespace rlpp::cli {

inline constexpr std::string_view train_help =
    R"(usage: rlpp train --run ALGO --env ENV [options]
       rlpp train -f EXPERIMENT.json|yaml [--local-dir DIR] [-v]

Trains one experiment given by the flags, or every experiment of an experiment file (RLlib's
format, JSON or YAML), one
trial after another, writing Tune's results layout:
  <local-dir>/<experiment>/<ALGO>_<ENV>_<index>[_<grid tag>]_<date>/
      params.json result.json progress.csv learning_curve.svg checkpoint_<N>/

options:
  --run ALGO                   algorithm (see `rlpp algorithms`)
  --env ENV                    environment (see `rlpp envs`); or "env" in --config
  --config JSON                algorithm config over its defaults, e.g. '{"lr": 0.001}';
                               any value may be {"grid_search": [v1, v2, ...]}
  --stop JSON                  stop criteria: result key -> threshold, first reached wins,
                               e.g. '{"training_iteration": 20, "episode_reward_mean": 150}';
                               nested keys with '/': "evaluation/episode_reward_mean".
                               Default: the env's reward threshold (CartPole-v1:
                               {"episode_reward_mean": 475}); envs without one run until Ctrl-C
  --checkpoint-freq N          checkpoint every N iterations (default 0: never)
  --checkpoint-at-end          checkpoint when the trial stops (the default from flags)
  --no-checkpoint-at-end       do not
  --keep-checkpoints-num N     keep the N best checkpoints (and the newest); default all
  --checkpoint-score-attr KEY  ranks checkpoints, higher is better; "min-KEY": lower is
                               better (default episode_reward_mean)
  --local-dir DIR              results root (default $RLPP_RESULTS_DIR or ~/rlpp_results)
  --experiment-name NAME       experiment directory under --local-dir (default "default")
  --restore CHECKPOINT         restore this checkpoint before training
  --num-samples N              run each (grid) trial N times (default 1)
  -f, --config-file FILE       experiment file, JSON or YAML: {"name": {"run": ..., "env": ...,
                               "stop": ..., "config": ..., "checkpoint_freq": ...}} (its own
                               stop and checkpoint settings only). Trial flags cannot be
                               combined with it.
  -v, -vv                      print the full result each iteration
  -h, --help                   this help

Ctrl-C stops the running trial after its current iteration (checkpointing it unless
--no-checkpoint-at-end) and skips the remaining trials; a second Ctrl-C kills the process.
)";

// Set by the CLI's SIGINT handler: stop after the current iteration.
inline std::atomic<bool>& interrupt_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace detail {
inline constexpr FlagSpec train_flags[] = {
    {"--run"}, {"--env"}, {"--config"}, {"--stop"}, {"--checkpoint-freq"}, {"--checkpoint-at-end", false},
    {"--no-checkpoint-at-end", false},
    {"--keep-checkpoints-num"}, {"--checkpoint-score-attr"}, {"--local-dir"}, {"--experiment-name"}, {"--restore"},
    {"--num-samples"}, {"--config-file", true, "-f"}, {"-v", false}, {"-vv", false}, {"--help", false, "-h"}};

// The flags that describe a trial, which an experiment file replaces.
inline constexpr std::string_view trial_flags[] = {
    "--run", "--env", "--config", "--stop", "--checkpoint-freq", "--checkpoint-at-end", "--no-checkpoint-at-end",
    "--keep-checkpoints-num",
    "--checkpoint-score-attr", "--experiment-name", "--restore", "--num-samples"};

inline ExperimentSpec experiment_from_flags(const ParsedArgs& args) {
  ExperimentSpec experiment;
  if (const auto* name = args.get("--experiment-name")) experiment.name = *name;
  const std::string* run = args.get("--run");
  if (!run || run->empty()) throw UsageError("rlpp train", "--run is required", "e.g. --run PG; see `rlpp algorithms`");
  experiment.run = *run;
  if (const auto* config = args.get("--config")) {
    experiment.config = parse_json_flag("--config", *config);
    if (!experiment.config.is_object()) throw UsageError("--config", "expected a JSON object, got " + experiment.config.dump());
  }
  if (const auto* env = args.get("--env")) experiment.config["env"] = *env;
  if (!experiment.config.contains("env"))
    throw UsageError("rlpp train", "--env is required", "e.g. --env CartPole-v1; see `rlpp envs`");
  if (const auto* stop = args.get("--stop")) {
    experiment.stop = parse_json_flag("--stop", *stop);
    if (!experiment.stop.is_object()) throw UsageError("--stop", "expected a JSON object, got " + experiment.stop.dump());
  } else if (const Json& env = experiment.config["env"]; env.is_string()) {
    // Train until solved: Gymnasium's reward threshold of the env, when it has one.
    if (const auto threshold = global_env_registry().reward_threshold(env.get<std::string>()))
      experiment.stop = Json{{"episode_reward_mean", *threshold}};
  }
  if (const auto* n = args.get("--checkpoint-freq")) experiment.checkpoint_freq = parse_count_flag("--checkpoint-freq", *n);
  if (args.has("--checkpoint-at-end") && args.has("--no-checkpoint-at-end"))
    throw UsageError("rlpp train", "--checkpoint-at-end and --no-checkpoint-at-end contradict each other");
  experiment.checkpoint_at_end = !args.has("--no-checkpoint-at-end");
  if (const auto* n = args.get("--keep-checkpoints-num")) {
    const auto keep = parse_count_flag("--keep-checkpoints-num", *n);
    if (keep < 1) throw UsageError("--keep-checkpoints-num", "expected at least 1", "leave it out to keep every checkpoint");
    experiment.keep_checkpoints_num = static_cast<std::size_t>(keep);
  }
  if (const auto* attr = args.get("--checkpoint-score-attr")) experiment.checkpoint_score_attr = *attr;
  if (const auto* restore = args.get("--restore")) experiment.restore = expand_user(*restore);
  if (const auto* n = args.get("--num-samples")) {
    experiment.num_samples = parse_count_flag("--num-samples", *n);
    if (experiment.num_samples < 1) throw UsageError("--num-samples", "expected at least 1");
  }
  return experiment;
}

// Unknown algorithms and envs are reported before any trial starts.
inline void check_names(const ExperimentSpec& experiment) {
  if (!global_trainer_registry().contains(experiment.run)) (void)make_trainer(experiment.run, experiment.config);  // throws the registry's error
  const Json& env = experiment.config.contains("env") ? experiment.config["env"] : Json();
  auto check_env = [&](const Json& name) {
    if (!name.is_string())
      throw ConfigError(experiment.name + ".config.env", "expected an env name, got " + name.dump(), "see `rlpp envs`");
    if (!global_env_registry().contains(name.get<std::string>())) (void)make_env(name.get<std::string>());  // throws, listing the envs
  };
  if (env.is_null()) throw ConfigError(experiment.name + ".env", "missing", "name the env, e.g. \"env\": \"CartPole-v1\"; see `rlpp envs`");
  if (env.is_object() && env.contains("grid_search") && env["grid_search"].is_array()) {
    for (const Json& name : env["grid_search"]) check_env(name);
  } else {
    check_env(env);
  }
}

inline void print_trial_summary(std::ostream& out, const TrialSummary& summary, std::string_view score_attr) {
  out << "Trial " << summary.trial_dir.filename().string() << " finished after " << summary.iterations
      << (summary.iterations == 1 ? " iteration" : " iterations") << " (" << summary.stop_reason << ")\n";
  if (!summary.last_result.is_null()) out << "  last result:     " << progress_line(summary.last_result) << "\n";
  out << "  trial dir:       " << summary.trial_dir.string() << "\n";
  if (summary.best_checkpoint) {
    std::string score;
    for (const TrialCheckpoint& c : summary.checkpoints)
      if (c.path == *summary.best_checkpoint) score = " (" + std::string(score_attr) + " " + rlpp::detail::short_number(c.score) + ")";
    out << "  best checkpoint: " << summary.best_checkpoint->string() << score << "\n";
  } else {
    out << "  best checkpoint: none (use --checkpoint-freq N or --checkpoint-at-end)\n";
  }
  out << "  learning curve:  " << summary.learning_curve.string() << "\n";
}
}  // namespace detail

// `rlpp train ARGS...`: 0 when every trial finished, 1 when one failed (the others still run), 2
// for a usage or config mistake (reported before training where possible). Errors are thrown;
// cli::run prints them.
inline int train(std::span<const std::string> words, std::ostream& out, std::ostream& err) {
  const ParsedArgs args = parse_args("rlpp train", words, detail::train_flags);
  if (args.has("--help")) {
    out << train_help;
    return 0;
  }
  if (!args.positional.empty())
    throw UsageError("rlpp train", "unexpected argument '" + args.positional.front() + "'", "see `rlpp train --help`");
  const int verbosity = args.has("-v") || args.has("-vv") ? 2 : 1;
  std::filesystem::path local_dir;
  if (const auto* dir = args.get("--local-dir")) local_dir = expand_user(*dir);

  std::vector<ExperimentSpec> experiments;
  if (const auto* file = args.get("--config-file")) {
    for (const std::string_view flag : detail::trial_flags)
      if (args.has(flag))
        throw UsageError("rlpp train", std::string(flag) + " cannot be combined with -f",
                         "the experiment file describes the trials; put it in the file");
    experiments = load_experiment_file(expand_user(*file));
  } else {
    experiments.push_back(detail::experiment_from_flags(args));
  }
  for (ExperimentSpec& experiment : experiments) {
    if (experiment.local_dir.empty()) experiment.local_dir = local_dir.empty() ? default_local_dir() : local_dir;
    detail::check_names(experiment);
  }
  std::vector<std::vector<TrialSpec>> trials;
  std::size_t total = 0;
  for (const ExperimentSpec& experiment : experiments) {
    trials.push_back(expand_trials(experiment));
    total += trials.back().size();
  }

  Stopwatch clock;
  std::size_t finished = 0, failed = 0, number = 0;
  for (std::size_t e = 0; e < experiments.size(); ++e) {
    const ExperimentSpec& experiment = experiments[e];
    for (const TrialSpec& trial : trials[e]) {
      if (interrupt_requested().load()) break;
      ++number;
      out << "== " << experiment.name << ": trial " << number << "/" << total << " " << experiment.run << " on "
          << trial.config.value("env", std::string()) << (trial.tag.empty() ? "" : " (" + trial.tag + ")")
          << (experiment.stop.empty() ? ", no stop criteria (Ctrl-C stops)" : ", stop: " + experiment.stop.dump()) << "\n";
      RunTrialOptions options;
      options.local_dir = experiment.local_dir;
      options.experiment_name = experiment.name;
      options.trial_index = trial.index;
      options.trial_tag = trial.tag;
      options.stop = experiment.stop;
      options.checkpoint_freq = experiment.checkpoint_freq;
      options.checkpoint_at_end = experiment.checkpoint_at_end;
      options.keep_checkpoints_num = experiment.keep_checkpoints_num;
      options.checkpoint_score_attr = experiment.checkpoint_score_attr;
      options.restore = experiment.restore;
      options.verbosity = verbosity;
      options.out = &out;
      options.stop_requested = &interrupt_requested();
      try {
        auto trainer = make_trainer(experiment.run, trial.config);
        const TrialSummary summary = run_trial(*trainer, options);
        ++finished;
        detail::print_trial_summary(out, summary, experiment.checkpoint_score_attr);
      } catch (const ConfigError&) {
        throw;  // the same mistake would fail every trial
      } catch (const RegistryError&) {
        throw;
      } catch (const std::exception& error) {
        ++failed;
        err << "rlpp train: error: trial " << number << " (" << experiment.run
            << (trial.tag.empty() ? "" : ", " + trial.tag) << ") failed: " << error.what() << "\n";
      }
    }
  }
  const std::size_t skipped = total - finished - failed;
  out << "rlpp train: " << finished << " of " << total << (total == 1 ? " trial" : " trials") << " finished";
  if (failed) out << ", " << failed << " failed";
  if (skipped) out << ", " << skipped << " not run (interrupted)";
  out << " in " << rlpp::detail::short_number(clock.seconds()) << " s\n";
  return failed ? 1 : 0;
}

}  // namespace rlpp::cli
