#pragma once
// Env states as JSON, exactly: what AnyEnv, AnyMultiAgentEnv and VectorEnv put in checkpoints so
// that training continues bit-identically after a restore. state_to_json/state_from_json encode
//   floats and doubles  as JSON numbers (shortest round-trip form, so dump()/parse() and CBOR
//                       give back the same bits); inf and NaN as "0x..." strings of their bits;
//   RandomStream        its four state words as hex strings, plus a cached normal() spare;
//   std::optional, std::array, std::vector  element by element (null for an empty optional);
//   other types         through their to_json/from_json (found by ADL, as nlohmann does), else,
//                       when trivially copyable, as their bytes in hex with the size checked.
// Decoding never trusts its input: a wrong type, size or a missing key is an EnvError that
// names the path ("state.inner.x: expected a number, got \"a\"").

#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/multi_agent_env.hpp"

namespace rlpp {

namespace detail::state_json {
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_std_array : std::false_type {};
template <class T, std::size_t N> struct is_std_array<std::array<T, N>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};

// A type with to_json/from_json of its own (or an nlohmann serializer).
template <class T>
concept has_json_conversions = std::is_constructible_v<Json, const T&> && requires(const Json& j, T& value) {
  nlohmann::adl_serializer<T>::from_json(j, value);
};

template <class T>
constexpr bool encodable() {
  if constexpr (std::is_same_v<T, RandomStream> || std::is_same_v<T, bool> || std::is_same_v<T, float> ||
                std::is_same_v<T, double> || std::is_integral_v<T>) {
    return true;
  } else if constexpr (is_optional<T>::value || is_std_array<T>::value || is_vector<T>::value) {
    return encodable<typename T::value_type>();
  } else if constexpr (has_json_conversions<T>) {
    return true;
  } else {
    return std::is_trivially_copyable_v<T> && !std::is_pointer_v<T> && !std::is_floating_point_v<T>;
  }
}
}  // namespace detail::state_json

// A state value state_to_json/state_from_json can encode exactly.
template <class T>
concept json_state = detail::state_json::encodable<std::remove_cvref_t<T>>();

template <json_state T> Json state_to_json(const T& value);
// Overwrites `value` with the decoded state (vectors take the JSON's length); EnvError on a
// malformed value, with `value` then unspecified (decode into a copy to keep the original).
template <json_state T> void state_from_json(const Json& json, T& value);

// EnvError unless `json` is an object whose keys are all among `keys` (a state of another type
// does not pass for this one just because it has the same fields and more).
inline void state_keys(const Json& json, std::initializer_list<std::string_view> keys);

// The field `key` of a state object, decoded into `value` (for to_json/from_json of state
// structs): EnvError if `json` is not an object or lacks the key; errors inside name the key.
template <json_state T> void state_field(const Json& json, std::string_view key, T& value);

namespace detail::state_json {

[[noreturn]] inline void fail(std::string message) { throw EnvError("state", std::move(message)); }

inline std::string describe(const Json& json) {
  std::string text = json.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// Prefixes the path of an error thrown while decoding a part ("state" -> "state.key").
template <class F>
void at_path(std::string_view part, F&& decode) {
  try {
    decode();
  } catch (const EnvError& error) {
    const std::string& where = error.where();
    const std::string rest = where.size() > 5 && where.starts_with("state") ? where.substr(5) : "";
    throw EnvError("state" + std::string(part) + rest, error.message(), error.fix());
  }
}

inline std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(2 * size, '0');
  for (std::size_t i = 0; i < size; ++i) {
    text[2 * i] = digits[bytes[i] >> 4];
    text[2 * i + 1] = digits[bytes[i] & 0xf];
  }
  return text;
}

inline int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Exactly `size` bytes from 2 * size hex digits, else an EnvError saying what `what` expected.
inline void from_hex(std::string_view text, unsigned char* bytes, std::size_t size, std::string_view what) {
  if (text.size() != 2 * size) {
    fail("expected " + std::string(what) + " as " + std::to_string(2 * size) + " hex digits, got " +
         std::to_string(text.size()) + " characters");
  }
  for (std::size_t i = 0; i < size; ++i) {
    const int high = hex_digit(text[2 * i]);
    const int low = hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) fail("expected " + std::string(what) + " in hex, got \"" + std::string(text) + "\"");
    bytes[i] = static_cast<unsigned char>(high * 16 + low);
  }
}

inline std::string word_to_hex(std::uint64_t word) {
  std::array<unsigned char, 8> bytes{};
  for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(word >> (56 - 8 * i));
  return to_hex(bytes.data(), bytes.size());
}

inline std::uint64_t word_from_hex(const Json& json) {
  if (!json.is_string()) fail("expected a 64-bit word as 16 hex digits, got " + describe(json));
  std::array<unsigned char, 8> bytes{};
  from_hex(json.get_ref<const std::string&>(), bytes.data(), bytes.size(), "a 64-bit word");
  std::uint64_t word = 0;
  for (unsigned char byte : bytes) word = (word << 8) | byte;
  return word;
}

// Finite values as numbers (nlohmann writes the shortest form that parses back to the same
// double, and CBOR keeps a float or double exactly); inf and NaN, which JSON numbers cannot
// hold, as "0x" and the hex of their bits.
template <class F>
Json float_to_json(F value) {
  if (std::isfinite(value)) return Json(static_cast<double>(value));
  using Bits = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
  const Bits bits = std::bit_cast<Bits>(value);
  return "0x" + word_to_hex(static_cast<std::uint64_t>(bits)).substr(16 - 2 * sizeof(F));
}

template <class F>
F float_from_json(const Json& json) {
  constexpr const char* name = sizeof(F) == 4 ? "a float32" : "a float64";
  if (json.is_number()) {
    const double value = json.get<double>();
    if constexpr (sizeof(F) == 4) {
      if (std::isfinite(value) && static_cast<double>(static_cast<float>(value)) != value) {
        fail("expected a float32, got " + describe(json) + ", which float32 cannot hold exactly");
      }
    }
    return static_cast<F>(value);
  }
  if (json.is_string()) {
    const auto& text = json.get_ref<const std::string&>();
    if (text.starts_with("0x")) {
      std::array<unsigned char, 8> bytes{};
      from_hex(std::string_view(text).substr(2), bytes.data(), sizeof(F), name);
      std::uint64_t bits = 0;
      for (std::size_t i = 0; i < sizeof(F); ++i) bits = (bits << 8) | bytes[i];
      using Bits = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
      return std::bit_cast<F>(static_cast<Bits>(bits));
    }
  }
  fail(std::string("expected ") + name + " (a number, or \"0x\" and its bits), got " + describe(json));
}

template <class I>
I integer_from_json(const Json& json) {
  if (json.is_number_unsigned()) {
    const auto value = json.get<std::uint64_t>();
    if (value <= static_cast<std::uint64_t>(std::numeric_limits<I>::max())) return static_cast<I>(value);
  } else if (json.is_number_integer()) {
    const auto value = json.get<std::int64_t>();
    if constexpr (std::is_signed_v<I>) {
      if (value >= static_cast<std::int64_t>(std::numeric_limits<I>::min()) &&
          value <= static_cast<std::int64_t>(std::numeric_limits<I>::max())) {
        return static_cast<I>(value);
      }
    } else if (value >= 0 && static_cast<std::uint64_t>(value) <= std::numeric_limits<I>::max()) {
      return static_cast<I>(value);
    }
  } else {
    fail("expected an integer, got " + describe(json));
  }
  fail("integer " + describe(json) + " is out of range for a " + std::to_string(8 * sizeof(I)) + "-bit " +
       (std::is_signed_v<I> ? "signed" : "unsigned") + " integer");
}

inline Json stream_to_json(const RandomStream& stream) {
  Json words = Json::array();
  for (std::uint64_t word : stream.state()) words.push_back(word_to_hex(word));
  const auto spare = stream.spare();
  return Json{{"state", std::move(words)}, {"spare", spare ? float_to_json(*spare) : Json(nullptr)}};
}

inline RandomStream stream_from_json(const Json& json) {
  if (!json.is_object()) fail("expected a random stream {\"state\": [4 words], \"spare\": ...}, got " + describe(json));
  state_keys(json, {"state", "spare"});
  std::array<std::uint64_t, 4> words{};
  at_path(".state", [&] {
    const auto found = json.find("state");
    if (found == json.end()) fail("missing (a random stream needs its 4 state words)");
    if (!found->is_array() || found->size() != 4) fail("expected 4 words, got " + describe(*found));
    for (std::size_t i = 0; i < 4; ++i) words[i] = word_from_hex((*found)[i]);
  });
  if (words == std::array<std::uint64_t, 4>{}) fail("a random stream's state cannot be all zero");
  std::optional<double> spare;
  if (const auto found = json.find("spare"); found != json.end() && !found->is_null()) {
    at_path(".spare", [&] { spare = float_from_json<double>(*found); });
  }
  return RandomStream::from_state(words, spare);
}

}  // namespace detail::state_json

template <json_state T>
Json state_to_json(const T& value) {
  namespace sj = detail::state_json;
  if constexpr (std::is_same_v<T, RandomStream>) {
    return sj::stream_to_json(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    return Json(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    return sj::float_to_json(value);
  } else if constexpr (std::is_integral_v<T>) {
    return Json(value);
  } else if constexpr (sj::is_optional<T>::value) {
    return value ? state_to_json(*value) : Json(nullptr);
  } else if constexpr (sj::is_std_array<T>::value || sj::is_vector<T>::value) {
    Json json = Json::array();
    for (const auto& element : value) json.push_back(state_to_json(element));
    return json;
  } else if constexpr (sj::has_json_conversions<T>) {
    return Json(value);
  } else {
    const auto bytes = std::bit_cast<std::array<unsigned char, sizeof(T)>>(value);
    return Json{{"bytes", sj::to_hex(bytes.data(), bytes.size())}, {"size", sizeof(T)}};
  }
}

template <json_state T>
void state_from_json(const Json& json, T& value) {
  namespace sj = detail::state_json;
  if constexpr (std::is_same_v<T, RandomStream>) {
    value = sj::stream_from_json(json);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!json.is_boolean()) sj::fail("expected true or false, got " + sj::describe(json));
    value = json.get<bool>();
  } else if constexpr (std::is_floating_point_v<T>) {
    value = sj::float_from_json<T>(json);
  } else if constexpr (std::is_integral_v<T>) {
    value = sj::integer_from_json<T>(json);
  } else if constexpr (sj::is_optional<T>::value) {
    if (json.is_null()) {
      value.reset();
    } else {
      typename T::value_type inner = value ? *value : typename T::value_type{};
      state_from_json(json, inner);
      value = std::move(inner);
    }
  } else if constexpr (sj::is_std_array<T>::value || sj::is_vector<T>::value) {
    if (!json.is_array()) sj::fail("expected an array, got " + sj::describe(json));
    if constexpr (sj::is_std_array<T>::value) {
      if (json.size() != value.size()) {
        sj::fail("expected " + std::to_string(value.size()) + " elements, got " + std::to_string(json.size()));
      }
    } else {
      value.resize(json.size());
    }
    for (std::size_t i = 0; i < json.size(); ++i) {
      std::string part(1, '[');  // (not "[" + ...: GCC 12 warns falsely on that, -Wstringop-overflow)
      part += std::to_string(i);
      part += ']';
      sj::at_path(part, [&] { state_from_json(json[i], value[i]); });
    }
  } else if constexpr (sj::has_json_conversions<T>) {
    try {
      nlohmann::adl_serializer<T>::from_json(json, value);
    } catch (const Json::exception& error) {
      sj::fail(error.what());
    }
  } else {
    if (!json.is_object() || !json.contains("bytes") || !json.contains("size")) {
      sj::fail("expected {\"bytes\": hex, \"size\": " + std::to_string(sizeof(T)) + "}, got " + sj::describe(json));
    }
    state_keys(json, {"bytes", "size"});
    const auto size = sj::integer_from_json<std::uint64_t>(json["size"]);
    if (size != sizeof(T)) {
      sj::fail("holds a state of " + std::to_string(size) + " bytes; this env's state type has " +
               std::to_string(sizeof(T)));
    }
    if (!json["bytes"].is_string()) sj::fail("expected the state's bytes in hex, got " + sj::describe(json["bytes"]));
    std::array<unsigned char, sizeof(T)> bytes{};
    sj::from_hex(json["bytes"].get_ref<const std::string&>(), bytes.data(), bytes.size(), "the state's bytes");
    value = std::bit_cast<T>(bytes);
  }
}

inline void state_keys(const Json& json, std::initializer_list<std::string_view> keys) {
  namespace sj = detail::state_json;
  if (!json.is_object()) sj::fail("expected an object, got " + sj::describe(json));
  for (const auto& item : json.items()) {
    bool known = false;
    for (std::string_view key : keys) known = known || item.key() == key;
    if (!known) sj::fail("unexpected key '" + item.key() + "' (a state of another env type?)");
  }
}

template <json_state T>
void state_field(const Json& json, std::string_view key, T& value) {
  namespace sj = detail::state_json;
  if (!json.is_object()) sj::fail("expected an object with key '" + std::string(key) + "', got " + sj::describe(json));
  const auto found = json.find(key);
  if (found == json.end()) sj::fail("missing key '" + std::string(key) + "'");
  sj::at_path("." + std::string(key), [&] { state_from_json(*found, value); });
}

// Envs whose state AnyEnv, AnyMultiAgentEnv and VectorEnv can checkpoint: stateful, with a state
// state_to_json can encode.
template <class E>
concept json_stateful_environment = stateful_environment<E> && json_state<env_state_t<E>>;
template <class E>
concept json_stateful_multi_agent_environment =
    stateful_multi_agent_environment<E> && json_state<multi_agent_env_state_t<E>>;

namespace detail::state_json {
// Why an env cannot be checkpointed, for the EnvError of get_state()/set_state().
inline EnvError unsupported(const std::string& env_name) {
  return EnvError("env '" + env_name + "'",
                  "does not support state: its type has no get_state()/set_state(), or its state type "
                  "has neither to_json/from_json nor a trivially copyable layout",
                  "give the env get_state() and set_state() (envs/env.hpp, stateful_environment) to "
                  "checkpoint it mid-episode");
}

// Restores a whole-object state: decodes into a copy of the current state, then sets it, so a
// malformed value leaves the env as it was. Errors, decoding's and the env's, become EnvErrors
// at `where` (e.g. "env 'CartPole-v1'").
template <class Env>
void restore(Env& env, const Json& json, const std::string& where) {
  auto state = env.get_state();
  try {
    state_from_json(json, state);
    env.set_state(state);
  } catch (const Error& error) {
    const std::string inner = error.where().empty() ? "" : error.where() + ": ";
    throw EnvError(where, "cannot restore its state: " + inner + error.message(), error.fix());
  } catch (const Json::exception& error) {
    throw EnvError(where, "cannot restore its state: " + std::string(error.what()));
  }
}
}  // namespace detail::state_json

}  // namespace rlpp
