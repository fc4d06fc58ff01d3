#pragma once
// COMMON_CONFIG: the trainer keys every algorithm shares, with RLlib's names and defaults (1.x,
// reference section 2.1). An algorithm's defaults are deep-merged over these, the user's config
// over both; unknown top-level keys are errors ("did you mean"), except inside the free-form
// dicts (env_config, model.custom_model_config, optimizer, evaluation_config, ...). Keys that
// only make sense in Python/Ray (framework, num_gpus, tf_session_args, ...) are accepted so
// RLlib configs load unchanged, and documented as having no effect in training.md.

#include <string>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/models/model_defaults.hpp"

namespace rlpp {

inline Json common_config() {
  return Json{
      // rollout workers
      {"num_workers", 2},
      {"num_envs_per_worker", 1},
      {"create_env_on_driver", false},
      {"rollout_fragment_length", 200},
      {"batch_mode", "truncate_episodes"},
      // training
      {"gamma", 0.99},
      {"lr", 0.0001},
      {"train_batch_size", 200},
      {"model", model_defaults()},
      {"optimizer", Json::object()},
      // environment
      {"horizon", nullptr},
      {"soft_horizon", false},
      {"no_done_at_end", false},
      {"bootstrap_truncated_episodes", true},  // rlpp (rollouts.md)
      {"env", nullptr},
      {"observation_space", nullptr},
      {"action_space", nullptr},
      {"env_config", Json::object()},
      {"remote_worker_envs", false},
      {"remote_env_batch_wait_ms", 0},
      {"env_task_fn", nullptr},
      {"render_env", false},
      {"record_env", false},
      {"clip_rewards", nullptr},
      {"normalize_actions", true},
      {"clip_actions", false},
      {"preprocessor_pref", "deepmind"},
      // debugging
      {"log_level", "WARN"},
      {"callbacks", nullptr},
      {"ignore_worker_failures", false},
      {"recreate_failed_workers", false},
      {"log_sys_usage", true},
      {"fake_sampler", false},
      // framework (no effect: rlpp is its own framework)
      {"framework", "rlpp"},
      {"eager_tracing", false},
      {"eager_max_retraces", 20},
      // exploration
      {"explore", true},
      {"exploration_config", {{"type", "StochasticSampling"}}},
      // evaluation
      {"evaluation_interval", nullptr},
      {"evaluation_num_episodes", 10},
      {"evaluation_parallel_to_training", false},
      {"in_evaluation", false},
      {"evaluation_config", Json::object()},
      {"evaluation_num_workers", 0},
      {"custom_eval_function", nullptr},
      // advanced rollout
      {"sample_async", false},
      {"sample_collector", nullptr},
      {"observation_filter", "NoFilter"},
      {"synchronize_filters", true},
      {"tf_session_args", Json::object()},
      {"local_tf_session_args", Json::object()},
      {"compress_observations", false},
      {"collect_metrics_timeout", 180},
      {"metrics_smoothing_episodes", 100},
      {"min_iter_time_s", 0},
      {"timesteps_per_iteration", 0},
      {"seed", nullptr},
      {"extra_python_environs_for_driver", Json::object()},
      {"extra_python_environs_for_worker", Json::object()},
      // resources (rlpp: num_threads is the TBB arena for parallel sampling; 0 = all cores)
      {"num_threads", 0},
      {"num_gpus", 0},
      {"_fake_gpus", false},
      {"num_cpus_per_worker", 1},
      {"num_gpus_per_worker", 0},
      {"custom_resources_per_worker", Json::object()},
      {"num_cpus_for_driver", 1},
      {"placement_strategy", "PACK"},
      // offline data
      {"input", "sampler"},
      {"input_config", Json::object()},
      {"actions_in_input_normalized", false},
      {"input_evaluation", {"is", "wis"}},
      {"postprocess_inputs", false},
      {"shuffle_buffer_size", 0},
      {"output", nullptr},
      {"output_compress_columns", {"obs", "new_obs"}},
      {"output_max_file_size", 64 * 1024 * 1024},
      // multi-agent
      {"multiagent",
       {{"policies", Json::object()},
        {"policy_map_capacity", 100},
        {"policy_map_cache", nullptr},
        {"policy_mapping_fn", nullptr},
        {"policies_to_train", nullptr},
        {"observation_fn", nullptr},
        {"replay_mode", "independent"},
        {"count_steps_by", "env_steps"}}},
      // logger / misc
      {"logger_config", nullptr},
      {"replay_sequence_length", 1},
      {"_disable_execution_plan_api", false},
  };
}

// Checks the values of the common keys (types and ranges); each error names the key.
inline void validate_common_config(const Config& c) {
  (void)c.non_negative_int("num_workers");
  (void)c.positive_int("num_envs_per_worker");
  (void)c.positive_int("rollout_fragment_length");
  (void)c.one_of("batch_mode", {"truncate_episodes", "complete_episodes"});
  (void)c.number_in("gamma", 0.0, 1.0);
  (void)c.positive_int("train_batch_size");
  (void)c.non_negative_int("num_threads");
  (void)c.positive_int("metrics_smoothing_episodes");
  (void)c.non_negative_int("timesteps_per_iteration");
  (void)c.number_in("min_iter_time_s", 0.0, 1e9);
  (void)c.one_of("observation_filter", {"NoFilter", "MeanStdFilter", "ConcurrentMeanStdFilter"});
  if (!c.json()["evaluation_interval"].is_null()) (void)c.positive_int("evaluation_interval");
  (void)c.positive_int("evaluation_num_episodes");
  (void)c.non_negative_int("evaluation_num_workers");
  if (!c.json()["evaluation_config"].is_object())
    throw ConfigError(c.path_of("evaluation_config"), "expected an object of config overrides, got " + describe_json(c.json()["evaluation_config"]));
  (void)c.sub("multiagent").one_of("count_steps_by", {"env_steps", "agent_steps"});
  const Json& env = c.json()["env"];
  if (!env.is_null() && !env.is_string())
    throw ConfigError(c.path_of("env"), "expected a registered env name, got " + describe_json(env));
  if (c.json()["input"] != "sampler")
    throw ConfigError(c.path_of("input"), "offline input is not available yet; only \"sampler\" (learn from the env) is",
                      "remove the key or set it to \"sampler\"");
  if (!c.json()["output"].is_null())
    throw ConfigError(c.path_of("output"), "writing experiences is not available yet", "remove the key or set it to null");
  if (!c.json()["callbacks"].is_null())
    throw ConfigError(c.path_of("callbacks"), "callbacks are C++ objects: pass them in TrainerOptions{.callbacks = ...}",
                      "remove the key from the JSON config");
}

}  // namespace rlpp
