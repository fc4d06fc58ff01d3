#pragma once
// TrainerRegistry: algorithm names -> trainer factories, so the CLI and JSON experiment files pick
// among compiled-in trainers by name ("PG", "PPO", a user's own). Unknown names are a
// RegistryError listing the registered ones with the closest as a suggestion. The built-in
// algorithms are added by rlpp::register_builtin_algorithms() (algorithms/all.hpp).

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/trainer_interface.hpp"

namespace rlpp {

class TrainerRegistry {
 public:
  using Factory = std::function<std::unique_ptr<TrainerInterface>(const Json& config)>;

  // Registers `factory` under `name`, replacing an earlier registration of that name.
  void add(std::string name, Factory factory) {
    std::lock_guard lock(mutex_);
    factories_[std::move(name)] = std::move(factory);
  }
  bool contains(std::string_view name) const {
    std::lock_guard lock(mutex_);
    return factories_.find(name) != factories_.end();
  }
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& entry : factories_) out.push_back(entry.first);
    return out;
  }
  // A new trainer `name` built from `config` (which holds "env").
  std::unique_ptr<TrainerInterface> make(std::string_view name, const Json& config) const {
    Factory factory;
    {
      std::lock_guard lock(mutex_);
      auto it = factories_.find(name);
      if (it == factories_.end()) {
        std::vector<std::string> known;
        for (const auto& entry : factories_) known.push_back(entry.first);
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw RegistryError("algorithm '" + std::string(name) + "'", "is not registered",
                            [&] { std::string d = did_you_mean(name, known); return d.empty() ? d : d + " "; }() + "registered algorithms: " + (list.empty() ? "none" : list));
      }
      factory = it->second;
    }
    return factory(config);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Factory, std::less<>> factories_;
};

// The process-wide registry the CLI uses.
inline TrainerRegistry& global_trainer_registry() {
  static TrainerRegistry registry;
  return registry;
}

// Registers trainer type T (constructible from its config JSON) under `name`.
template <class T>
void register_trainer(std::string name) {
  global_trainer_registry().add(std::move(name), [](const Json& config) -> std::unique_ptr<TrainerInterface> {
    return std::make_unique<T>(config);
  });
}

inline std::unique_ptr<TrainerInterface> make_trainer(std::string_view name, const Json& config) {
  return global_trainer_registry().make(name, config);
}

}  // namespace rlpp
