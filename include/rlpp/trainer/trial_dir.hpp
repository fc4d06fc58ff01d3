#pragma once
// Where a training run writes, in Tune's layout (RLlib reference 4.1):
// <local_dir>/<experiment>/<Trainer>_<env>_<index>[_<tag>]_<YYYY-MM-DD_HH-MM-SS>/ holding
// params.json, result.json, progress.csv and checkpoint_<000010>/ directories.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "rlpp/core/error.hpp"

namespace rlpp {

namespace detail {
// create_directories, with an Error naming `dir` and the system's reason when it fails.
inline void create_trial_directory(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (!error && !std::filesystem::is_directory(dir, error) && !error)
    error = std::make_error_code(std::errc::not_a_directory);
  if (error)
    throw Error(dir.string(), "cannot create the trial directory: " + error.message(),
                "set local_dir (--local-dir) to a writable directory");
}
}  // namespace detail

// `rllib train --experiment-name` defaults to "default" (reference 3.1).
inline constexpr std::string_view default_experiment_name = "default";

// Tune keeps the part of a trial directory's name before the date to this many characters
// (TUNE_MAX_LEN_IDENTIFIER), so grid-search tags cannot exceed a filesystem's name limit.
inline constexpr std::size_t max_trial_identifier_length = 130;

// The results root: $RLPP_RESULTS_DIR when set and non-empty (as Tune's TUNE_RESULT_DIR), else
// $HOME/rlpp_results (Tune: ~/ray_results), else, when HOME is unset or empty, the relative
// path "rlpp_results", i.e. ./rlpp_results under the working directory.
inline std::filesystem::path default_local_dir() {
  if (const char* dir = std::getenv("RLPP_RESULTS_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return std::filesystem::path(home) / "rlpp_results";
  return "rlpp_results";
}

// `when` in local time as Tune's date_str(): "2021-03-11_10-42-19".
inline std::string trial_timestamp(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm local{};
  if (::localtime_r(&seconds, &local) == nullptr)
    throw Error("trial timestamp", "cannot convert the time to local time");
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%d_%H-%M-%S", &local);
  return std::string(text, length);
}

// `text` safe as (part of) one path component: every character outside [A-Za-z0-9._+=,-]
// becomes '_' ("ALE/Pong-v5" -> "ALE_Pong-v5", "my env:v1" -> "my_env_v1").
inline std::string sanitize_path_component(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '+' || c == '=' || c == ',' || c == '-';
    if (!keep) c = '_';
  }
  return out;
}

// "<Trainer>_<env>_<index>[_<tag>]_<date>", e.g. "PPO_CartPole-v1_0_2021-03-11_10-42-19" or,
// with the grid-search tag "lr=0.01", "PPO_CartPole-v1_3_lr=0.01_2021-03-11_10-42-19". Each
// part is sanitized; an empty env name is left out (as Tune does for a config without "env");
// the part before the date is cut to max_trial_identifier_length characters.
inline std::string trial_dir_name(std::string_view trainer_name, std::string_view env_name, std::size_t index,
                                  std::chrono::system_clock::time_point timestamp, std::string_view tag = {}) {
  if (trainer_name.empty())
    throw Error("trial directory", "the trainer name is empty", "pass the trainer's name, e.g. \"PPO\"");
  std::string identifier = sanitize_path_component(trainer_name);
  if (!env_name.empty()) identifier += "_" + sanitize_path_component(env_name);
  identifier += "_" + std::to_string(index);
  if (!tag.empty()) identifier += "_" + sanitize_path_component(tag);
  if (identifier.size() > max_trial_identifier_length) identifier.resize(max_trial_identifier_length);
  return identifier + "_" + trial_timestamp(timestamp);
}

// Creates (with missing parents) and returns <local_dir>/<experiment_name>/<trial_dir_name>.
// An empty experiment name means default_experiment_name. The experiment name may name a
// nested directory ("atari/pong") but must stay inside local_dir: absolute names and ".."
// parts are an Error. An existing directory is reused (resuming a trial); `index` keeps
// concurrent trials of one experiment apart, as Tune's trial index does. Failing to create
// the directory is an Error naming it and the system's reason.
inline std::filesystem::path make_trial_dir(const std::filesystem::path& local_dir, std::string_view experiment_name,
                                            std::string_view trainer_name, std::string_view env_name,
                                            std::size_t index,
                                            std::chrono::system_clock::time_point timestamp =
                                                std::chrono::system_clock::now(),
                                            std::string_view tag = {}) {
  const std::filesystem::path experiment(experiment_name.empty() ? default_experiment_name : experiment_name);
  bool escapes = experiment.is_absolute() || experiment.has_root_path();
  for (const auto& part : experiment)
    if (part == "..") escapes = true;
  if (escapes)
    throw Error("experiment name \"" + experiment.string() + "\"", "must be a relative path inside local_dir",
                "use a plain name such as \"cartpole_ppo\"");

  const std::filesystem::path dir = local_dir / experiment / trial_dir_name(trainer_name, env_name, index, timestamp, tag);
  detail::create_trial_directory(dir);
  return dir;
}

// <trial_dir>/checkpoint_<iteration, zero-padded to 6 digits>: RLlib >= 1.2 names them
// checkpoint_000010 (reference 4.1); wider numbers are written in full (checkpoint_1234567).
// Only names the directory; the checkpoint writer creates it.
inline std::filesystem::path checkpoint_dir(const std::filesystem::path& trial_dir, std::int64_t iteration) {
  if (iteration < 0)
    throw Error("checkpoint directory", "the iteration is negative (" + std::to_string(iteration) + ")");
  char name[40];
  std::snprintf(name, sizeof name, "checkpoint_%06lld", static_cast<long long>(iteration));
  return trial_dir / name;
}

}  // namespace rlpp
