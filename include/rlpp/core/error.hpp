#pragma once
// rlpp's error hierarchy. Every error names what went wrong, where (a config key path, an env
// id, a file) and, when there is one, the fix. Library code throws; it never exits or aborts.

#include <stdexcept>
#include <string>
#include <utility>

namespace rlpp {

class Error : public std::runtime_error {
 public:
  // `where`: the config key path, env id, file or component involved ("config.model.fcnet_hiddens").
  // `message`: what is wrong. `fix`: how to fix it (may be empty).
  Error(std::string where, std::string message, std::string fix = {})
      : std::runtime_error(compose(where, message, fix)),
        where_(std::move(where)),
        message_(std::move(message)),
        fix_(std::move(fix)) {}

  const std::string& where() const noexcept { return where_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& fix() const noexcept { return fix_; }

 private:
  static std::string compose(const std::string& where, const std::string& message,
                             const std::string& fix) {
    std::string text = where.empty() ? message : where + ": " + message;
    if (!fix.empty()) text += " (" + fix + ")";
    return text;
  }

  std::string where_;
  std::string message_;
  std::string fix_;
};

// A configuration key is unknown, missing, or has a value of the wrong type or range.
class ConfigError : public Error { using Error::Error; };
// A space is malformed, or a value does not fit the space it is checked against.
class SpaceError : public Error { using Error::Error; };
// An environment misbehaved or was misused (bad action, step before reset, NaN observation).
class EnvError : public Error { using Error::Error; };
// A name was looked up in a registry (envs, models, algorithms) and not found.
class RegistryError : public Error { using Error::Error; };
// A checkpoint or data file is missing, corrupt or does not match what reads it.
class CheckpointError : public Error { using Error::Error; };

}  // namespace rlpp
