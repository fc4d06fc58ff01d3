#pragma once
// rlpp::Space, any Gymnasium/RLlib space as a value: its flat float encoding, RLlib's
// preprocessing, sampling, to_string and JSON form. Including this header gives every space type.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/box.hpp"
#include "rlpp/spaces/detail/space_class.hpp"
#include "rlpp/spaces/dict.hpp"
#include "rlpp/spaces/discrete.hpp"
#include "rlpp/spaces/multi_binary.hpp"
#include "rlpp/spaces/multi_discrete.hpp"
#include "rlpp/spaces/tuple.hpp"

namespace rlpp {

// ---- JSON ---------------------------------------------------------------------------------
// {"type":"Discrete","n":3,"start":0}
// {"type":"Box","low":-1.0,"high":[1.0,"inf"],"shape":[2],"dtype":"float32"}  (+-inf as strings)
// {"type":"MultiDiscrete","nvec":[3,4]}   {"type":"MultiBinary","n":5}
// {"type":"Tuple","spaces":[...]}          {"type":"Dict","spaces":{"a":...}}
inline void to_json(Json& json, const Space& space);
// SpaceError whose where() is the JSON path of the offending value ("space.spaces[1].n") and
// whose message says what was expected and what was found. `path` names the root.
inline Space space_from_json(const Json& json, std::string_view path = "space");
inline void from_json(const Json& json, Space& space) { space = space_from_json(json); }

}  // namespace rlpp

// `json.get<rlpp::Space>()` for a type without a default constructor, and `json.get_to(space)`.
template <>
struct nlohmann::adl_serializer<rlpp::Space> {
  static rlpp::Space from_json(const rlpp::Json& json) { return rlpp::space_from_json(json); }
  static void from_json(const rlpp::Json& json, rlpp::Space& space) {
    space = rlpp::space_from_json(json);
  }
  static void to_json(rlpp::Json& json, const rlpp::Space& space) { rlpp::to_json(json, space); }
};

namespace rlpp {

// ---- definitions ----------------------------------------------------------------------------
namespace detail {

// The immutable node all copies of a Space share; sizes are cached because vector envs and
// preprocessors ask for them per step.
struct SpaceNode {
  template <class S>
  explicit SpaceNode(S space)
      : value(std::move(space)),
        flat_size(std::get<S>(value).flat_size()),
        preprocessed_size(std::get<S>(value).preprocessed_size()) {}

  std::variant<Discrete, Box, MultiDiscrete, MultiBinary, Tuple, Dict> value;
  std::size_t flat_size;
  std::size_t preprocessed_size;
};

}  // namespace detail

inline Space::Space(Discrete space)
    : node_(std::make_shared<const detail::SpaceNode>(std::move(space))) {}
inline Space::Space(Box space)
    : node_(std::make_shared<const detail::SpaceNode>(std::move(space))) {}
inline Space::Space(MultiDiscrete space)
    : node_(std::make_shared<const detail::SpaceNode>(std::move(space))) {}
inline Space::Space(MultiBinary space)
    : node_(std::make_shared<const detail::SpaceNode>(std::move(space))) {}
inline Space::Space(Tuple space)
    : node_(std::make_shared<const detail::SpaceNode>(std::move(space))) {}
inline Space::Space(Dict space)
    : node_(std::make_shared<const detail::SpaceNode>(std::move(space))) {}

inline SpaceKind Space::kind() const noexcept {
  return static_cast<SpaceKind>(node_->value.index());
}

template <class S>
bool Space::is() const noexcept {
  static_assert(
      detail::is_concrete_space<S>,
      "Space::is<S> needs S to be Discrete, Box, MultiDiscrete, MultiBinary, Tuple or Dict");
  return std::holds_alternative<S>(node_->value);
}

template <class S>
const S* Space::get_if() const noexcept {
  static_assert(
      detail::is_concrete_space<S>,
      "Space::get_if<S> needs S to be Discrete, Box, MultiDiscrete, MultiBinary, Tuple or Dict");
  return std::get_if<S>(&node_->value);
}

template <class S>
const S& Space::as() const {
  static_assert(
      detail::is_concrete_space<S>,
      "Space::as<S> needs S to be Discrete, Box, MultiDiscrete, MultiBinary, Tuple or Dict");
  if (const S* space = get_if<S>()) return *space;
  // Every space type name starts with a consonant, hence "a".
  throw SpaceError("Space::as",
                   "expected a " + std::string(S::type_name) + " space, got " + to_string(),
                   "check kind() or use get_if<S>() first");
}

inline std::size_t Space::flat_size() const noexcept { return node_->flat_size; }
inline std::size_t Space::preprocessed_size() const noexcept { return node_->preprocessed_size; }

inline void Space::preprocess(std::span<const float> flat, std::span<float> out) const {
  std::visit([&](const auto& space) { space.preprocess(flat, out); }, node_->value);
}

inline std::vector<std::int64_t> Space::shape() const {
  return std::visit([](const auto& space) { return space.shape(); }, node_->value);
}

inline void Space::sample(RandomStream& rng, std::span<float> flat_out) const {
  std::visit([&](const auto& space) { space.sample(rng, flat_out); }, node_->value);
}

inline bool Space::contains(std::span<const float> flat) const noexcept {
  return std::visit([&](const auto& space) { return space.contains(flat); }, node_->value);
}

inline std::string Space::to_string() const {
  return std::visit([](const auto& space) { return space.to_string(); }, node_->value);
}

inline bool Space::equals(const Space& other) const {
  return node_ == other.node_ || node_->value == other.node_->value;
}

// ---- JSON definitions -------------------------------------------------------------------------
namespace detail {

inline Json bound_to_json(double bound, DType dtype) {
  if (std::isinf(bound)) return bound > 0 ? "inf" : "-inf";
  if (dtype == DType::int64) return static_cast<std::int64_t>(bound);
  return bound;
}

inline Json bounds_to_json(std::span<const double> bounds, DType dtype) {
  bool uniform = true;
  for (double b : bounds) uniform = uniform && b == bounds.front();
  if (uniform) return bound_to_json(bounds.front(), dtype);
  Json array = Json::array();
  for (double b : bounds) array.push_back(bound_to_json(b, dtype));
  return array;
}

// "found string \"3\"": what a wrong JSON value was, shortened so messages stay one line.
inline std::string json_found(const Json& json) {
  std::string text = json.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return std::string("found ") + json.type_name() + " " + text;
}

inline std::string json_key_path(std::string_view path, std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
  if (plain) return std::string(path) + "." + std::string(key);
  return std::string(path) + "[" + Json(std::string(key)).dump() + "]";
}

// Reads one JSON object describing a space, tracking its path for error messages.
class SpaceJsonReader {
 public:
  static Space read(const Json& json, const std::string& path) {
    if (!json.is_object()) {
      throw SpaceError(path, "expected an object with a \"type\" field, " + json_found(json));
    }
    const Json& type = field(json, path, "type", "a string naming the space type");
    if (!type.is_string()) {
      throw SpaceError(json_key_path(path, "type"), "expected a string, " + json_found(type));
    }
    const std::string name = type.get<std::string>();
    if (name == "Discrete") return read_discrete(json, path);
    if (name == "Box") return read_box(json, path);
    if (name == "MultiDiscrete") return read_multi_discrete(json, path);
    if (name == "MultiBinary") return read_multi_binary(json, path);
    if (name == "Tuple") return read_tuple(json, path);
    if (name == "Dict") return read_dict(json, path);
    throw SpaceError(
        json_key_path(path, "type"),
        "unknown space type \"" + name +
            "\"; expected one of Discrete, Box, MultiDiscrete, MultiBinary, Tuple, Dict");
  }

 private:
  // Runs a space constructor; its SpaceError (where() = the class name) is re-thrown with the
  // JSON path of the object that described the space.
  template <class Make>
  static Space construct(const std::string& path, Make&& make) {
    try {
      return make();
    } catch (const SpaceError& error) {
      throw SpaceError(path, error.message(), error.fix());
    }
  }

  static const Json& field(const Json& json, const std::string& path, std::string_view key,
                           std::string_view expected) {
    const auto it = json.find(key);
    if (it == json.end()) {
      throw SpaceError(json_key_path(path, key), "missing field \"" + std::string(key) +
                                                     "\"; expected " + std::string(expected));
    }
    return *it;
  }

  // Unknown fields are errors: a typo ("strat") must not silently fall back to a default.
  static void only_fields(const Json& json, const std::string& path, std::string_view type,
                          std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : json.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        throw SpaceError(json_key_path(path, key), "unknown field \"" + key + "\" in a " +
                                                       std::string(type) +
                                                       " space; expected one of: " + list);
      }
    }
  }

  static std::int64_t integer(const Json& json, const std::string& path) {
    if (json.is_number_unsigned()) {
      if (json.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return json.get<std::int64_t>();
      }
    } else if (json.is_number_integer()) {
      return json.get<std::int64_t>();
    }
    if (json.is_number_float()) {
      const double v = json.get<double>();
      if (is_integral_value(v) && std::fabs(v) < 9.2e18) return static_cast<std::int64_t>(v);
    }
    throw SpaceError(path, "expected an integer, " + json_found(json));
  }

  static std::vector<std::int64_t> integers(const Json& json, const std::string& path) {
    if (!json.is_array())
      throw SpaceError(path, "expected an array of integers, " + json_found(json));
    std::vector<std::int64_t> values;
    values.reserve(json.size());
    for (std::size_t i = 0; i < json.size(); ++i) {
      values.push_back(integer(json[i], path + "[" + std::to_string(i) + "]"));
    }
    return values;
  }

  static double bound(const Json& json, const std::string& path) {
    if (json.is_number()) return json.get<double>();
    if (json.is_string()) {
      const std::string& text = json.get_ref<const std::string&>();
      if (text == "inf" || text == "+inf") return std::numeric_limits<double>::infinity();
      if (text == "-inf") return -std::numeric_limits<double>::infinity();
    }
    throw SpaceError(path, "expected a number, \"inf\" or \"-inf\", " + json_found(json));
  }

  static Space read_discrete(const Json& json, const std::string& path) {
    only_fields(json, path, "Discrete", {"type", "n", "start"});
    const std::string n_path = json_key_path(path, "n");
    const std::int64_t n = integer(field(json, path, "n", "an integer >= 1"), n_path);
    if (n < 1) throw SpaceError(n_path, "expected an integer >= 1, found " + std::to_string(n));
    std::int64_t start = 0;
    if (json.contains("start")) start = integer(json["start"], json_key_path(path, "start"));
    return construct(path, [&] { return Discrete(n, start); });
  }

  static Space read_box(const Json& json, const std::string& path) {
    only_fields(json, path, "Box", {"type", "low", "high", "shape", "dtype"});
    DType dtype = DType::float32;
    if (json.contains("dtype")) {
      const Json& d = json["dtype"];
      if (d == "float32") {
        dtype = DType::float32;
      } else if (d == "int64") {
        dtype = DType::int64;
      } else {
        throw SpaceError(json_key_path(path, "dtype"),
                         "expected \"float32\" or \"int64\", " + json_found(d));
      }
    }
    const Json& low = field(json, path, "low", "a number or an array of numbers");
    const Json& high = field(json, path, "high", "a number or an array of numbers");
    const std::string low_path = json_key_path(path, "low");
    const std::string high_path = json_key_path(path, "high");
    std::vector<std::int64_t> shape;
    if (json.contains("shape")) shape = integers(json["shape"], json_key_path(path, "shape"));
    if (!low.is_array() && !high.is_array()) {
      if (!json.contains("shape")) {
        throw SpaceError(json_key_path(path, "shape"),
                         "missing field \"shape\"; expected an array of integers (low and high "
                         "are scalars)");
      }
      const double low_bound = bound(low, low_path);
      const double high_bound = bound(high, high_path);
      return construct(path, [&] { return Box(low_bound, high_bound, std::move(shape), dtype); });
    }
    // One side may be a scalar: it broadcasts to the other side's length.
    const std::size_t size = low.is_array() ? low.size() : high.size();
    const auto read_side = [&](const Json& side, const std::string& side_path) {
      std::vector<double> values;
      if (!side.is_array()) {
        values.assign(size, bound(side, side_path));
        return values;
      }
      for (std::size_t i = 0; i < side.size(); ++i) {
        values.push_back(bound(side[i], side_path + "[" + std::to_string(i) + "]"));
      }
      return values;
    };
    std::vector<double> low_bounds = read_side(low, low_path);
    std::vector<double> high_bounds = read_side(high, high_path);
    return construct(path, [&] {
      return Box(std::move(low_bounds), std::move(high_bounds), std::move(shape), dtype);
    });
  }

  static Space read_multi_discrete(const Json& json, const std::string& path) {
    only_fields(json, path, "MultiDiscrete", {"type", "nvec"});
    const std::string nvec_path = json_key_path(path, "nvec");
    std::vector<std::int64_t> nvec =
        integers(field(json, path, "nvec", "an array of integers >= 1"), nvec_path);
    return construct(path, [&] { return MultiDiscrete(std::move(nvec)); });
  }

  static Space read_multi_binary(const Json& json, const std::string& path) {
    only_fields(json, path, "MultiBinary", {"type", "n"});
    const std::string n_path = json_key_path(path, "n");
    const std::int64_t n = integer(field(json, path, "n", "an integer >= 1"), n_path);
    if (n < 1) throw SpaceError(n_path, "expected an integer >= 1, found " + std::to_string(n));
    return construct(path, [&] { return MultiBinary(n); });
  }

  static Space read_tuple(const Json& json, const std::string& path) {
    only_fields(json, path, "Tuple", {"type", "spaces"});
    const Json& children = field(json, path, "spaces", "an array of spaces");
    const std::string spaces_path = json_key_path(path, "spaces");
    if (!children.is_array()) {
      throw SpaceError(spaces_path, "expected an array of spaces, " + json_found(children));
    }
    std::vector<Space> spaces;
    spaces.reserve(children.size());
    for (std::size_t i = 0; i < children.size(); ++i) {
      spaces.push_back(read(children[i], spaces_path + "[" + std::to_string(i) + "]"));
    }
    return Tuple(std::move(spaces));
  }

  static Space read_dict(const Json& json, const std::string& path) {
    only_fields(json, path, "Dict", {"type", "spaces"});
    const Json& children = field(json, path, "spaces", "an object mapping keys to spaces");
    const std::string spaces_path = json_key_path(path, "spaces");
    if (!children.is_object()) {
      throw SpaceError(spaces_path,
                       "expected an object mapping keys to spaces, " + json_found(children));
    }
    std::vector<std::pair<std::string, Space>> spaces;
    spaces.reserve(children.size());
    for (const auto& [key, child] : children.items()) {
      spaces.emplace_back(key, read(child, json_key_path(spaces_path, key)));
    }
    return Dict(std::move(spaces));
  }
};

}  // namespace detail

inline void to_json(Json& json, const Space& space) {
  if (const auto* s = space.get_if<Discrete>()) {
    json = Json{{"type", "Discrete"}, {"n", s->n()}, {"start", s->start()}};
  } else if (const auto* s = space.get_if<Box>()) {
    json = Json{{"type", "Box"},
                {"low", detail::bounds_to_json(s->low(), s->dtype())},
                {"high", detail::bounds_to_json(s->high(), s->dtype())},
                {"shape", s->shape()},
                {"dtype", std::string(to_string(s->dtype()))}};
  } else if (const auto* s = space.get_if<MultiDiscrete>()) {
    json = Json{{"type", "MultiDiscrete"}, {"nvec", s->nvec()}};
  } else if (const auto* s = space.get_if<MultiBinary>()) {
    json = Json{{"type", "MultiBinary"}, {"n", s->n()}};
  } else if (const auto* s = space.get_if<Tuple>()) {
    Json children = Json::array();
    for (const Space& child : s->spaces()) children.push_back(child);
    json = Json{{"type", "Tuple"}, {"spaces", std::move(children)}};
  } else {
    Json children = Json::object();
    for (const auto& [key, child] : space.as<Dict>().spaces()) children[key] = child;
    json = Json{{"type", "Dict"}, {"spaces", std::move(children)}};
  }
}

inline Space space_from_json(const Json& json, std::string_view path) {
  return detail::SpaceJsonReader::read(json, std::string(path));
}

}  // namespace rlpp
