#pragma once
// EnvContext: what an env creator receives (RLlib's EnvContext): the user's env_config plus
// where the env lives (worker index, index within the worker's vector env, worker count).

#include <string>
#include <string_view>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp {

struct EnvContext {
  Json env_config = Json::object();  // free-form: the env defines its own keys
  int worker_index = 0;              // 0 = local worker, 1..num_workers = rollout workers
  int vector_index = 0;              // sub-env index within the worker's VectorEnv
  int num_workers = 0;
  bool remote = false;

  // env_config[key] as T, or `fallback` when absent; a value of the wrong type is a ConfigError
  // naming "env_config.<key>".
  template <class T>
  T get(std::string_view key, T fallback) const {
    return config().get_or<T>(key, std::move(fallback));
  }
  // env_config[key] as T; absent is a ConfigError.
  template <class T>
  T get(std::string_view key) const {
    return config().get<T>(key);
  }
  Config config() const {
    return Config(env_config.is_null() ? Json::object() : env_config, "env_config");
  }
};

}  // namespace rlpp
