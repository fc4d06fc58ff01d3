#pragma once
// EnvRegistry: env names -> creators, as RLlib's register_env. A creator receives an EnvContext
// (env_config + worker/vector index) and returns any single-agent or multi-agent env type; the
// registry erases it into AnyEnv / AnyMultiAgentEnv. Unknown names are a RegistryError that lists
// the registered names and suggests the closest. The process-wide registry with rlpp's built-in
// envs is in envs/registry.hpp.

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/envs/any_env.hpp"
#include "rlpp/envs/any_multi_agent_env.hpp"
#include "rlpp/envs/env_context.hpp"

namespace rlpp {

class EnvRegistry {
 public:
  using Creator = std::function<AnyEnv(const EnvContext&)>;
  using MultiAgentCreator = std::function<AnyMultiAgentEnv(const EnvContext&)>;

  // Registers `creator` (callable as creator(const EnvContext&)) under `name`, replacing any
  // earlier registration of that name. It may return any `environment`, any
  // `multi_agent_environment`, AnyEnv or AnyMultiAgentEnv.
  template <class F>
  void add(std::string name, F creator) {
    using Made = std::remove_cvref_t<std::invoke_result_t<F&, const EnvContext&>>;
    std::lock_guard lock(mutex_);
    if constexpr (std::is_same_v<Made, AnyMultiAgentEnv>) {
      multi_agent_[name] = std::move(creator);
      single_agent_.erase(name);
    } else if constexpr (multi_agent_environment<Made>) {
      multi_agent_[name] = [creator = std::move(creator), name](const EnvContext& ctx) {
        return AnyMultiAgentEnv(creator(ctx), name);
      };
      single_agent_.erase(name);
    } else if constexpr (std::is_same_v<Made, AnyEnv>) {
      single_agent_[name] = std::move(creator);
      multi_agent_.erase(name);
    } else {
      static_assert(environment<Made>,
                    "an env creator must return a type that models rlpp::environment or "
                    "rlpp::multi_agent_environment (see envs/env.hpp)");
      single_agent_[name] = [creator = std::move(creator), name](const EnvContext& ctx) {
        return AnyEnv(creator(ctx), name);
      };
      multi_agent_.erase(name);
    }
  }

  // Gymnasium's EnvSpec.reward_threshold: the mean return at which the env counts as solved
  // (CartPole-v1: 475). `rlpp train` stops there when no --stop is given.
  void set_reward_threshold(std::string_view name, double threshold) {
    std::lock_guard lock(mutex_);
    reward_thresholds_[std::string(name)] = threshold;
  }
  std::optional<double> reward_threshold(std::string_view name) const {
    std::lock_guard lock(mutex_);
    const auto it = reward_thresholds_.find(std::string(name));
    if (it == reward_thresholds_.end()) return std::nullopt;
    return it->second;
  }

  bool contains(std::string_view name) const {
    std::lock_guard lock(mutex_);
    return single_agent_.count(std::string(name)) || multi_agent_.count(std::string(name));
  }
  bool is_multi_agent(std::string_view name) const {
    std::lock_guard lock(mutex_);
    if (multi_agent_.count(std::string(name))) return true;
    if (single_agent_.count(std::string(name))) return false;
    throw not_found(name);
  }
  // All registered names, sorted.
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> all;
    for (const auto& [name, _] : single_agent_) all.push_back(name);
    for (const auto& [name, _] : multi_agent_) all.push_back(name);
    std::sort(all.begin(), all.end());
    return all;
  }

  AnyEnv make(std::string_view name, const EnvContext& context = {}) const {
    Creator creator;
    {
      std::lock_guard lock(mutex_);
      auto it = single_agent_.find(std::string(name));
      if (it == single_agent_.end()) {
        if (multi_agent_.count(std::string(name)))
          throw RegistryError("env '" + std::string(name) + "'", "is a multi-agent env",
                              "create it with make_multi_agent_env()");
        throw not_found(name);
      }
      creator = it->second;
    }
    return creator(context);
  }

  AnyMultiAgentEnv make_multi_agent(std::string_view name, const EnvContext& context = {}) const {
    MultiAgentCreator creator;
    {
      std::lock_guard lock(mutex_);
      auto it = multi_agent_.find(std::string(name));
      if (it == multi_agent_.end()) {
        if (single_agent_.count(std::string(name)))
          throw RegistryError("env '" + std::string(name) + "'", "is a single-agent env", "create it with make_env()");
        throw not_found(name);
      }
      creator = it->second;
    }
    return creator(context);
  }

 private:
  RegistryError not_found(std::string_view name) const {
    std::vector<std::string> all;
    for (const auto& [n, _] : single_agent_) all.push_back(n);
    for (const auto& [n, _] : multi_agent_) all.push_back(n);
    std::sort(all.begin(), all.end());
    std::string list;
    for (const auto& n : all) list += (list.empty() ? "" : ", ") + n;
    std::string fix = did_you_mean(name, all);
    fix += (fix.empty() ? "" : " ") + std::string("registered envs: ") + (list.empty() ? "(none)" : list) +
           "; register your own with register_env(name, creator)";
    return RegistryError("env '" + std::string(name) + "'", "is not registered", fix);
  }

  mutable std::mutex mutex_;
  std::map<std::string, Creator, std::less<>> single_agent_;
  std::map<std::string, MultiAgentCreator, std::less<>> multi_agent_;
  std::map<std::string, double, std::less<>> reward_thresholds_;
};

}  // namespace rlpp
