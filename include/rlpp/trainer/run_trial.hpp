#pragma once
// run_trial: Tune's trial loop for ONE trainer. Creates the trial directory
// (<local_dir>/<experiment>/<Trainer>_<env>_<index>[_<tag>]_<date>/), writes params.json, logs each
// iteration to result.json and progress.csv, prints a progress line, checkpoints every
// checkpoint_freq iterations and at the end, keeps the best keep_checkpoints_num, stops at the
// first stop criterion met, and writes learning_curve.svg at the end (also when training throws).
// `rlpp train` runs every trial through it; docs/cli.md describes the layout and options.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/checkpoint.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/trainer/learning_curve.hpp"
#include "rlpp/trainer/pretty_print.hpp"
#include "rlpp/trainer/results.hpp"
#include "rlpp/trainer/stop_criteria.hpp"
#include "rlpp/trainer/trainer_interface.hpp"
#include "rlpp/trainer/trial_dir.hpp"

namespace rlpp {

// rlpp ranks checkpoints by episode_reward_mean (Tune's checkpoint_score_attr defaults to
// training_iteration, i.e. "newest is best"): the best checkpoint is then the one worth rolling
// out, and keep_checkpoints_num keeps the best policies, not merely the last ones.
inline constexpr std::string_view default_checkpoint_score_attr = "episode_reward_mean";

struct RunTrialOptions {
  std::filesystem::path local_dir = default_local_dir();
  std::string experiment_name = std::string(default_experiment_name);
  std::size_t trial_index = 0;
  std::string trial_tag;  // grid-search tag in the directory name, e.g. "lr=0.01"
  std::chrono::system_clock::time_point timestamp = std::chrono::system_clock::now();
  Json stop = Json::object();             // StopCriteria; empty: train until stop_requested
  std::int64_t checkpoint_freq = 0;       // every N iterations; 0: never
  bool checkpoint_at_end = false;         // also when the trial stops (not when it fails)
  std::optional<std::size_t> keep_checkpoints_num;  // the N best (plus the newest); nullopt: all
  // The result key ranking checkpoints (higher is better); "min-<key>" ranks lower as better.
  std::string checkpoint_score_attr = std::string(default_checkpoint_score_attr);
  std::filesystem::path restore;          // a checkpoint restored before training; empty: none
  int verbosity = 1;                      // 0 silent, 1 a progress line per iteration, 2 + pretty_print
  std::ostream* out = &std::cout;         // where progress goes (nullptr: nowhere)
  // Polled between iterations (e.g. set by a SIGINT handler): stops the trial as if a stop
  // criterion were met ("interrupted"), checkpoint_at_end included.
  const std::atomic<bool>* stop_requested = nullptr;
};

struct TrialCheckpoint {
  std::filesystem::path path;
  std::int64_t iteration = 0;
  double score = 0.0;  // the checkpoint_score_attr value of that iteration's result (NaN if none)
};

struct TrialSummary {
  std::filesystem::path trial_dir;
  Json last_result;                                 // null when no iteration finished
  std::optional<std::filesystem::path> best_checkpoint;
  std::vector<TrialCheckpoint> checkpoints;         // those kept, in iteration order
  std::int64_t iterations = 0;                      // trained in this run
  std::string stop_reason;                          // "training_iteration >= 20 (got 20)", "interrupted"
  std::filesystem::path learning_curve;

  Json to_json() const {
    Json kept = Json::array();
    for (const TrialCheckpoint& c : checkpoints)
      kept.push_back({{"path", c.path.string()}, {"iteration", c.iteration}, {"score", c.score}});
    return {{"trial_dir", trial_dir.string()},
            {"last_result", last_result},
            {"best_checkpoint", best_checkpoint ? Json(best_checkpoint->string()) : Json()},
            {"checkpoints", kept},
            {"iterations", iterations},
            {"stop_reason", stop_reason},
            {"learning_curve", learning_curve.string()}};
  }
};

namespace detail {
// Score for ranking (higher is better): the attribute's value, negated for "min-<key>"; NaN
// (missing, or no finished episode yet) ranks below every number.
inline double checkpoint_rank(const TrialCheckpoint& c, bool minimize) {
  if (std::isnan(c.score)) return -std::numeric_limits<double>::infinity();
  return minimize ? -c.score : c.score;
}

// Tune's tie-break: of equal scores the newer checkpoint ranks higher.
inline bool checkpoint_better(const TrialCheckpoint& a, const TrialCheckpoint& b, bool minimize) {
  const double ra = checkpoint_rank(a, minimize), rb = checkpoint_rank(b, minimize);
  return ra != rb ? ra > rb : a.iteration > b.iteration;
}

inline void print_line(std::ostream* out, std::string_view line) {
  if (out) *out << line << '\n' << std::flush;
}

// The trial loop; `results` collects every logged result so that the caller can still draw the
// curve when the loop throws.
class TrialRunner {
 public:
  TrialRunner(TrainerInterface& trainer, const RunTrialOptions& options, TrialSummary& summary)
      : trainer_(trainer), options_(options), summary_(summary), stop_(options.stop) {
    std::string_view attr = options.checkpoint_score_attr.empty() ? default_checkpoint_score_attr
                                                                 : std::string_view(options.checkpoint_score_attr);
    if (attr.starts_with("min-")) {
      minimize_ = true;
      attr.remove_prefix(4);
    }
    score_key_ = std::string(attr);
    if (options.checkpoint_freq < 0)
      throw ConfigError("checkpoint_freq", "expected an integer >= 0, got " + std::to_string(options.checkpoint_freq));
    if (options.keep_checkpoints_num && *options.keep_checkpoints_num == 0)
      throw ConfigError("keep_checkpoints_num", "expected at least 1", "leave it unset to keep every checkpoint");
  }

  std::vector<Json> results;

  void run() {
    const std::string env_name = trainer_.env_name();
    summary_.trial_dir = make_trial_dir(options_.local_dir, options_.experiment_name, trainer_.name(), env_name,
                                        options_.trial_index, options_.timestamp, options_.trial_tag);
    name_ = summary_.trial_dir.filename().string();
    ResultLogger logger(summary_.trial_dir);
    logger.write_params(trainer_.config());

    if (!options_.restore.empty()) {
      trainer_.restore(options_.restore);
      say("restored " + options_.restore.string() + " (iteration " + std::to_string(trainer_.iteration()) + ")");
    }
    say("trial dir " + summary_.trial_dir.string());

    bool warned_missing = false;
    while (true) {
      if (options_.stop_requested && options_.stop_requested->load()) {
        summary_.stop_reason = "interrupted";
        break;
      }
      Json result = trainer_.train();
      if (!result.is_object())
        throw Error(std::string(trainer_.name()) + ".train()", std::string("returned ") + result.type_name() + ", not a result dict");
      ++summary_.iterations;
      const std::optional<std::string> met = stop_.met(result);
      result["done"] = met.has_value();
      if (!options_.trial_tag.empty() && !result.contains("experiment_tag"))
        result["experiment_tag"] = std::to_string(options_.trial_index) + "_" + options_.trial_tag;
      if (!result.contains("trial_id")) result["trial_id"] = name_;
      logger.log(result);
      results.push_back(result);
      summary_.last_result = result;

      if (options_.verbosity >= 1) say(progress_line(result));
      if (options_.verbosity >= 2 && options_.out) *options_.out << pretty_print(result) << std::flush;
      if (!warned_missing && options_.verbosity >= 1) {
        warned_missing = true;
        for (const std::string& key : stop_.missing_keys(result))
          say("warning: stop key \"" + key + "\" is not in the result (yet); it stops the trial only once it appears");
      }

      const std::int64_t iteration = trainer_.iteration();
      if (options_.checkpoint_freq > 0 && iteration % options_.checkpoint_freq == 0) checkpoint(result);
      if (met) {
        summary_.stop_reason = *met;
        break;
      }
    }
    if (options_.checkpoint_at_end && !summary_.last_result.is_null() &&
        (summary_.checkpoints.empty() || newest_iteration_ != trainer_.iteration()))
      checkpoint(summary_.last_result);
    say("stopped: " + summary_.stop_reason);
  }

 private:
  void say(std::string_view line) {
    if (options_.verbosity >= 1) print_line(options_.out, "[" + name_ + "] " + std::string(line));
  }

  void checkpoint(const Json& result) {
    const std::int64_t iteration = trainer_.iteration();
    const std::filesystem::path written = trainer_.save(checkpoint_dir(summary_.trial_dir, iteration));
    newest_iteration_ = iteration;
    summary_.checkpoints.push_back({written, iteration, detail::number_at(result, score_key_)});
    say("checkpoint " + written.string());
    prune();
    pick_best();
  }

  // Keeps the keep_checkpoints_num best and the newest (to resume from), deleting the others.
  void prune() {
    if (!options_.keep_checkpoints_num) return;
    auto& all = summary_.checkpoints;
    std::vector<TrialCheckpoint> ranked = all;
    std::sort(ranked.begin(), ranked.end(),
              [&](const TrialCheckpoint& a, const TrialCheckpoint& b) { return checkpoint_better(a, b, minimize_); });
    std::vector<TrialCheckpoint> kept;
    for (const TrialCheckpoint& c : all) {
      const auto rank = static_cast<std::size_t>(
          std::find_if(ranked.begin(), ranked.end(), [&](const TrialCheckpoint& r) { return r.iteration == c.iteration; }) -
          ranked.begin());
      if (rank < *options_.keep_checkpoints_num || c.iteration == newest_iteration_) {
        kept.push_back(c);
      } else {
        std::error_code error;
        std::filesystem::remove_all(checkpoint_directory(c.path), error);
        if (error) say("warning: cannot delete " + c.path.string() + ": " + error.message());
      }
    }
    all = std::move(kept);
  }

  void pick_best() {
    const TrialCheckpoint* best = nullptr;
    for (const TrialCheckpoint& c : summary_.checkpoints)
      if (!best || checkpoint_better(c, *best, minimize_)) best = &c;
    summary_.best_checkpoint = best ? std::optional(best->path) : std::nullopt;
  }

  TrainerInterface& trainer_;
  const RunTrialOptions& options_;
  TrialSummary& summary_;
  StopCriteria stop_;
  std::string score_key_;
  bool minimize_ = false;
  std::string name_;
  std::int64_t newest_iteration_ = -1;
};
}  // namespace detail

// Runs one trial of `trainer` until a stop criterion is met (or options.stop_requested is set)
// and returns its summary. When training (or logging, or a checkpoint) throws, what was logged is
// kept, the learning curve is drawn and error.txt holds the message; then the exception
// propagates. Invalid options (negative checkpoint_freq, keep_checkpoints_num 0, a malformed stop
// dict) are a ConfigError before anything is written.
inline TrialSummary run_trial(TrainerInterface& trainer, const RunTrialOptions& options = {}) {
  TrialSummary summary;
  detail::TrialRunner runner(trainer, options, summary);
  auto draw_curve = [&] {
    if (summary.trial_dir.empty()) return;
    LearningCurveOptions curve;
    curve.title = std::string(trainer.name());
    if (const std::string env = trainer.env_name(); !env.empty()) curve.title += " on " + env;
    if (!options.trial_tag.empty()) curve.title += " (" + options.trial_tag + ")";
    summary.learning_curve = summary.trial_dir / learning_curve_file;
    write_learning_curve(summary.learning_curve, std::span<const Json>(runner.results), curve);
  };
  try {
    runner.run();
  } catch (const std::exception& failure) {
    if (!summary.trial_dir.empty()) {
      try {
        draw_curve();
        const std::string text = std::string(failure.what()) + "\n";
        write_file_atomically(summary.trial_dir / "error.txt", std::as_bytes(std::span<const char>(text.data(), text.size())));
      } catch (...) {
        // The training error matters more than a failure to record it.
      }
    }
    throw;
  }
  draw_curve();
  return summary;
}

}  // namespace rlpp
