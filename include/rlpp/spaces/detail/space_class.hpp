#pragma once
// The declaration of rlpp::Space, split out so that Tuple and Dict (which hold Spaces) can be
// defined before Space's members are. Do not include this header; include rlpp/spaces/space.hpp
// (or tuple.hpp / dict.hpp, which pull it in).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/box.hpp"
#include "rlpp/spaces/discrete.hpp"
#include "rlpp/spaces/multi_binary.hpp"
#include "rlpp/spaces/multi_discrete.hpp"

namespace rlpp {

class Tuple;
class Dict;

// Which concrete space a Space holds; the order is that of Space's constructors.
enum class SpaceKind { discrete, box, multi_discrete, multi_binary, tuple, dict };

constexpr std::string_view to_string(SpaceKind kind) noexcept {
  constexpr std::string_view names[] = {"Discrete",    "Box",   "MultiDiscrete",
                                        "MultiBinary", "Tuple", "Dict"};
  return names[static_cast<std::size_t>(kind)];
}

namespace detail {
struct SpaceNode;
template <class S>
inline constexpr bool is_concrete_space =
    std::is_same_v<S, Discrete> || std::is_same_v<S, Box> || std::is_same_v<S, MultiDiscrete> ||
    std::is_same_v<S, MultiBinary> || std::is_same_v<S, Tuple> || std::is_same_v<S, Dict>;
}  // namespace detail

// Any space, as a value. Copies share one immutable node, so a Space is cheap to copy and safe to
// read from many threads.
class Space {
 public:
  Space(Discrete space);
  Space(Box space);
  Space(MultiDiscrete space);
  Space(MultiBinary space);
  Space(Tuple space);
  Space(Dict space);

  SpaceKind kind() const noexcept;

  template <class S>
  bool is() const noexcept;
  // nullptr when this space is not an S.
  template <class S>
  const S* get_if() const noexcept;
  // SpaceError "expected a Box space, got Discrete(3)" when this space is not an S.
  template <class S>
  const S& as() const;

  // ---- the flat encoding: one value of the space as a row of floats ----
  // Discrete: 1 (the integer); Box: prod(shape), row-major; MultiDiscrete: nvec.size();
  // MultiBinary: n; Tuple / Dict: the children's encodings concatenated (Dict in key order).
  std::size_t flat_size() const noexcept;
  // Length of RLlib's preprocessed (one-hot for discrete parts) form of one value.
  std::size_t preprocessed_size() const noexcept;
  // RLlib's preprocessors (rllib/models/preprocessors.py) applied to one flat value, written into
  // `out`. Allocation-free. SpaceError on wrong sizes or on a discrete value out of range.
  void preprocess(std::span<const float> flat, std::span<float> out) const;
  // Gymnasium's shape: Discrete {}, Box its shape, MultiDiscrete {k}, MultiBinary {n},
  // Tuple / Dict {}.
  std::vector<std::int64_t> shape() const;
  // One random value (Gymnasium's sampling semantics), written into `flat_out`. Allocation-free.
  void sample(RandomStream& rng, std::span<float> flat_out) const;
  // False on a wrong size, NaN, a value out of bounds or a non-integral discrete value.
  bool contains(std::span<const float> flat) const noexcept;
  // Gymnasium's repr: "Discrete(3)", "Box(-1.0, 1.0, (3,), float32)", "Tuple(...)", ...
  std::string to_string() const;

  // Structural equality.
  friend bool operator==(const Space& a, const Space& b) { return a.equals(b); }

 private:
  bool equals(const Space& other) const;

  std::shared_ptr<const detail::SpaceNode> node_;
};

}  // namespace rlpp
