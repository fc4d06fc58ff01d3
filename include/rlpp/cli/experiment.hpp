#pragma once
// Experiments as `rllib train` knows them (RLlib reference 3.2): {name: {run, env, stop, config,
// checkpoint_freq, ...}}, from an experiment file (JSON) or from the train command's flags, and
// their expansion into trials: every {"grid_search": [...]} in the config multiplies the trials
// (cartesian product), all of it repeated num_samples times.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/cli/args.hpp"
#include "rlpp/cli/yaml.hpp"
#include "rlpp/trainer/run_trial.hpp"
#include "rlpp/trainer/trial_dir.hpp"

namespace rlpp::cli {

struct ExperimentSpec {
  std::string name = std::string(default_experiment_name);
  std::string run;                     // algorithm name in the trainer registry
  Json config = Json::object();        // with "env" (the spec's "env" is moved in here)
  Json stop = Json::object();
  std::int64_t checkpoint_freq = 0;
  bool checkpoint_at_end = false;
  std::optional<std::size_t> keep_checkpoints_num;
  std::string checkpoint_score_attr = std::string(default_checkpoint_score_attr);
  std::filesystem::path local_dir;     // empty: default_local_dir()
  std::filesystem::path restore;       // empty: none
  std::int64_t num_samples = 1;

  std::string env() const {
    const auto found = config.find("env");
    return found != config.end() && found->is_string() ? found->get<std::string>() : std::string();
  }
};

// One trial of an experiment: its config (grid values filled in), its tag ("lr=0.01,gamma=0.9",
// empty without grid search) and its index within the experiment.
struct TrialSpec {
  Json config;
  std::string tag;
  std::size_t index = 0;
};

// Keys of an experiment spec that rlpp reads, and Tune's keys it accepts and ignores (they
// concern Ray's cluster, syncing or exporting).
inline constexpr std::string_view experiment_keys[] = {
    "run", "env", "stop", "config", "checkpoint_freq", "checkpoint_at_end", "keep_checkpoints_num",
    "checkpoint_score_attr", "local_dir", "restore", "num_samples"};
inline constexpr std::string_view ignored_experiment_keys[] = {
    "resources_per_trial", "upload_dir", "export_formats", "max_failures", "sync_on_checkpoint", "sync_to_driver",
    "trial_name_creator", "loggers", "sync_config", "frequency"};

namespace detail {
inline std::string key_path(std::string_view experiment, std::string_view key) {
  return std::string(experiment) + "." + std::string(key);
}

inline std::int64_t count_value(const Json& value, const std::string& where) {
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::int64_t>();
  if (value.is_number_float() && value.get<double>() >= 0 && value.get<double>() == static_cast<double>(static_cast<std::int64_t>(value.get<double>())))
    return static_cast<std::int64_t>(value.get<double>());
  throw ConfigError(where, "expected a non-negative integer, got " + value.dump());
}

// Collects the JSON pointers of every {"grid_search": [...]} under `node`, in key order.
inline void find_grid_searches(const Json& node, const Json::json_pointer& at, std::vector<Json::json_pointer>& out) {
  if (!node.is_object()) return;
  if (node.size() == 1 && node.contains("grid_search")) {
    const Json& values = node["grid_search"];
    if (!values.is_array() || values.empty())
      throw ConfigError([&] {
                          std::string path = "config" + at.to_string();  // "/model/lr" -> "config.model.lr"
                          std::replace(path.begin(), path.end(), '/', '.');
                          return path + ".grid_search";
                        }(),
                        "expected a non-empty list of values, got " + values.dump());
    out.push_back(at);
    return;
  }
  for (const auto& [key, value] : node.items()) find_grid_searches(value, at / key, out);
}

inline std::string tag_value(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}
}  // namespace detail

// One experiment from its JSON spec; unknown keys are a ConfigError naming "<name>.<key>" with
// the closest valid key. A spec-level "env" goes into config["env"], as RLlib's train.py does.
inline ExperimentSpec experiment_from_json(std::string name, const Json& spec) {
  if (!spec.is_object())
    throw ConfigError(name, std::string("an experiment must be a JSON object, got ") + spec.type_name(),
                      "{\"" + name + "\": {\"run\": \"PG\", \"env\": \"CartPole-v1\", \"stop\": {...}, \"config\": {...}}}");
  std::vector<std::string> valid(std::begin(experiment_keys), std::end(experiment_keys));
  for (const auto& [key, value] : spec.items()) {
    bool known = false;
    for (const std::string_view k : experiment_keys) known = known || key == k;
    for (const std::string_view k : ignored_experiment_keys) known = known || key == k;
    if (!known) throw ConfigError(detail::key_path(name, key), "is not an experiment key", did_you_mean(key, valid));
  }
  ExperimentSpec experiment;
  experiment.name = std::move(name);
  const std::string& n = experiment.name;
  auto string_at = [&](const char* key) -> std::string {
    const Json& value = spec.at(key);
    if (!value.is_string()) throw ConfigError(detail::key_path(n, key), "expected a string, got " + value.dump());
    return value.get<std::string>();
  };
  if (!spec.contains("run")) throw ConfigError(detail::key_path(n, "run"), "missing", "name the algorithm, e.g. \"run\": \"PG\"");
  experiment.run = string_at("run");
  if (spec.contains("config")) {
    experiment.config = spec["config"];
    if (!experiment.config.is_object()) throw ConfigError(detail::key_path(n, "config"), "expected a JSON object, got " + experiment.config.dump());
  }
  if (spec.contains("env") && !spec["env"].is_null()) experiment.config["env"] = spec["env"];
  std::vector<Json::json_pointer> grids;
  detail::find_grid_searches(experiment.config, Json::json_pointer(), grids);  // checks every grid_search
  if (spec.contains("stop") && !spec["stop"].is_null()) {
    experiment.stop = spec["stop"];
    if (!experiment.stop.is_object()) throw ConfigError(detail::key_path(n, "stop"), "expected a JSON object, got " + experiment.stop.dump());
  }
  if (spec.contains("checkpoint_freq")) experiment.checkpoint_freq = detail::count_value(spec["checkpoint_freq"], detail::key_path(n, "checkpoint_freq"));
  if (spec.contains("checkpoint_at_end")) {
    if (!spec["checkpoint_at_end"].is_boolean()) throw ConfigError(detail::key_path(n, "checkpoint_at_end"), "expected true or false");
    experiment.checkpoint_at_end = spec["checkpoint_at_end"].get<bool>();
  }
  if (spec.contains("keep_checkpoints_num") && !spec["keep_checkpoints_num"].is_null()) {
    const auto keep = detail::count_value(spec["keep_checkpoints_num"], detail::key_path(n, "keep_checkpoints_num"));
    if (keep < 1) throw ConfigError(detail::key_path(n, "keep_checkpoints_num"), "expected at least 1", "use null to keep every checkpoint");
    experiment.keep_checkpoints_num = static_cast<std::size_t>(keep);
  }
  if (spec.contains("checkpoint_score_attr")) experiment.checkpoint_score_attr = string_at("checkpoint_score_attr");
  if (spec.contains("local_dir") && !spec["local_dir"].is_null()) experiment.local_dir = expand_user(string_at("local_dir"));
  if (spec.contains("restore") && !spec["restore"].is_null()) experiment.restore = expand_user(string_at("restore"));
  if (spec.contains("num_samples")) {
    experiment.num_samples = detail::count_value(spec["num_samples"], detail::key_path(n, "num_samples"));
    if (experiment.num_samples < 1) throw ConfigError(detail::key_path(n, "num_samples"), "expected at least 1");
  }
  return experiment;
}

// Every experiment of an experiment file's JSON ({name: spec, ...}), in the file's key order
// (rlpp's Json sorts keys: alphabetical).
inline std::vector<ExperimentSpec> experiments_from_json(const Json& file) {
  if (!file.is_object() || file.empty())
    throw ConfigError("experiment file", "expected a JSON object {\"<experiment name>\": {\"run\": ..., \"env\": ..., ...}}");
  std::vector<ExperimentSpec> out;
  for (const auto& [name, spec] : file.items()) out.push_back(experiment_from_json(name, spec));
  return out;
}

// Reads an experiment file: JSON (comments allowed), or YAML (.yaml / .yml) when built with
// RLPP_HAVE_YAML (cli/yaml.hpp); without it a YAML file is a UsageError saying how to convert it.
inline std::vector<ExperimentSpec> load_experiment_file(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) throw UsageError(path.string(), "no such experiment file");
  if (extension == ".yaml" || extension == ".yml") {
#if defined(RLPP_HAVE_YAML)
    try {
      return experiments_from_json(yaml_to_json(YAML::LoadFile(path.string())));
    } catch (const YAML::Exception& yaml) {
      throw UsageError(path.string(), "is not valid YAML: " + yaml.msg + " (line " + std::to_string(yaml.mark.line + 1) + ")");
    }
#else
    throw UsageError(path.string(), "this rlpp was built without YAML support (libyaml-cpp-dev was not installed)",
                     "install libyaml-cpp-dev and rebuild, or convert it: `yq -o json " + path.filename().string() +
                         " > experiment.json`");
#endif
  }
  const std::vector<std::byte> bytes = read_whole_file(path);
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  Json file;
  try {
    file = Json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& parse) {
    std::string reason = parse.what();
    if (const std::size_t bracket = reason.find("] "); bracket != std::string::npos) reason = reason.substr(bracket + 2);
    throw UsageError(path.string(), "is not valid JSON: " + reason);
  }
  return experiments_from_json(file);
}

// The trials of `experiment`: one per combination of grid_search values (the first grid key in
// key order varying fastest, as Tune's grid generator does), the whole grid repeated num_samples
// times; indices 0, 1, ... in that order.
inline std::vector<TrialSpec> expand_trials(const ExperimentSpec& experiment) {
  std::vector<Json::json_pointer> grids;
  detail::find_grid_searches(experiment.config, Json::json_pointer(), grids);
  std::vector<std::size_t> sizes;
  for (const auto& pointer : grids) sizes.push_back(experiment.config.at(pointer).at("grid_search").size());

  std::vector<TrialSpec> trials;
  for (std::int64_t sample = 0; sample < experiment.num_samples; ++sample) {
    std::vector<std::size_t> choice(grids.size(), 0);
    while (true) {
      TrialSpec trial;
      trial.config = experiment.config;
      for (std::size_t g = 0; g < grids.size(); ++g) {
        const Json& value = experiment.config.at(grids[g]).at("grid_search").at(choice[g]);
        trial.config[grids[g]] = value;
        const std::string key = grids[g].back();
        trial.tag += (trial.tag.empty() ? "" : ",") + key + "=" + detail::tag_value(value);
      }
      trial.index = trials.size();
      trials.push_back(std::move(trial));
      // Advance the odometer; done when it wraps around.
      std::size_t g = 0;
      while (g < grids.size() && ++choice[g] == sizes[g]) choice[g++] = 0;
      if (g == grids.size()) break;
    }
  }
  return trials;
}

}  // namespace rlpp::cli
