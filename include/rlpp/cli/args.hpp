#pragma once
// Command-line parsing for the rlpp CLI: flags ("--name value", "--name=value", switches),
// positional arguments, and value parsers (JSON, counts) whose errors name the flag. A usage
// mistake is a UsageError; the CLI prints it as one line and exits with status 2.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp::cli {

// A flag is unknown, lacks its value, or its value does not parse.
class UsageError : public Error {
  using Error::Error;
};

struct FlagSpec {
  std::string_view name;        // "--run", "-v"
  bool takes_value = true;
  std::string_view alias = {};  // e.g. "-f" for "--config-file"
};

struct ParsedArgs {
  std::map<std::string, std::string, std::less<>> values;  // flag name -> its (last) value; switches map to ""
  std::vector<std::string> positional;

  bool has(std::string_view flag) const { return values.find(flag) != values.end(); }
  const std::string* get(std::string_view flag) const {
    const auto found = values.find(flag);
    return found == values.end() ? nullptr : &found->second;
  }
};

// Parses `args` (the words after the command) against `flags`. `command` ("rlpp train") names
// the command in errors. "--" ends the flags; a word starting with '-' that is no known flag is a
// UsageError listing the valid ones, with the closest as a suggestion.
inline ParsedArgs parse_args(std::string_view command, std::span<const std::string> args, std::span<const FlagSpec> flags) {
  ParsedArgs parsed;
  std::vector<std::string> names;
  for (const FlagSpec& flag : flags) names.emplace_back(flag.name);
  auto find = [&](std::string_view word) -> const FlagSpec* {
    for (const FlagSpec& flag : flags)
      if (word == flag.name || (!flag.alias.empty() && word == flag.alias)) return &flag;
    return nullptr;
  };
  bool only_positional = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (only_positional || word.size() < 2 || word[0] != '-' ||
        (word[1] >= '0' && word[1] <= '9')) {  // "-1" is a value, not a flag
      parsed.positional.push_back(word);
      continue;
    }
    if (word == "--") {
      only_positional = true;
      continue;
    }
    std::string_view name = word;
    std::string inline_value;
    bool has_inline_value = false;
    if (const std::size_t equals = name.find('='); word.starts_with("--") && equals != std::string_view::npos) {
      inline_value = std::string(name.substr(equals + 1));
      name = name.substr(0, equals);
      has_inline_value = true;
    }
    const FlagSpec* flag = find(name);
    if (flag == nullptr) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : " ") + n;
      const std::string hint = did_you_mean(name, names);
      throw UsageError(std::string(command), "unknown flag '" + std::string(name) + "'",
                       (hint.empty() ? "" : hint + " ") + "valid flags: " + list);
    }
    const std::string key(flag->name);
    if (!flag->takes_value) {
      if (has_inline_value) throw UsageError(std::string(command), "flag '" + key + "' takes no value");
      parsed.values[key] = "";
    } else if (has_inline_value) {
      parsed.values[key] = inline_value;
    } else {
      if (i + 1 >= args.size()) throw UsageError(std::string(command), "flag '" + key + "' needs a value");
      parsed.values[key] = args[++i];
    }
  }
  return parsed;
}

// `text` as JSON; a parse error names the flag and quotes nlohmann's reason.
inline Json parse_json_flag(std::string_view flag, const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& error) {
    std::string reason = error.what();
    if (const std::size_t bracket = reason.find("] "); reason.starts_with("[json.exception") && bracket != std::string::npos)
      reason = reason.substr(bracket + 2);
    throw UsageError(std::string(flag), "is not valid JSON: " + reason,
                     "quote it for the shell, e.g. " + std::string(flag) + " '{\"lr\": 0.001}'");
  }
}

// A non-negative integer ("20", "2e6").
inline std::int64_t parse_count_flag(std::string_view flag, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(value >= 0) || value > 9.2e18 ||
      value != static_cast<double>(static_cast<std::int64_t>(value)))
    throw UsageError(std::string(flag), "expected a non-negative integer, got '" + text + "'");
  return static_cast<std::int64_t>(value);
}

// "~/x" -> "$HOME/x", as Tune expands local_dir.
inline std::filesystem::path expand_user(const std::string& path) {
  if (path == "~" || path.starts_with("~/")) {
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
      return std::filesystem::path(home) / path.substr(path.size() > 1 ? 2 : 1);
  }
  return path;
}

}  // namespace rlpp::cli
