#pragma once
// Concurrently (RLlib's rllib/execution/concurrency_ops.py): several plan branches in one, e.g.
// DQN's "store rollouts" and "replay and train" branches:
//
//   auto plan = Concurrently({.mode = ConcurrencyMode::round_robin, .output_indexes = {1},
//                             .round_robin_weights = {1, 4}},
//                            std::move(store_op), std::move(replay_op))
//             | StandardMetricsReporting(ctx);
//
// round_robin: branch i is pulled round_robin_weights[i] times per turn (weight -1 = "*": as
// many times as it has items ready); a pull that has nothing ready ends the branch's turn.
// async: RLlib pulls whatever is ready first, which depends on thread timing; rlpp runs every
// branch in the same thread, so async is round robin with weight 1 for every branch and stays
// deterministic. Only the branches in output_indexes (all by default) emit items; when branch
// types differ the item is a std::variant indexed by branch.

#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/execution/pipeline.hpp"

namespace rlpp {

enum class ConcurrencyMode { round_robin, async };

struct ConcurrentlyOptions {
  ConcurrencyMode mode = ConcurrencyMode::round_robin;
  std::vector<std::size_t> output_indexes = {};  // empty: every branch
  std::vector<int> round_robin_weights = {};     // empty: 1 each; -1: "*"
};

namespace detail {
template <class... Ts>
inline constexpr bool all_same_v = sizeof...(Ts) <= 1 || (std::is_same_v<std::tuple_element_t<0, std::tuple<Ts...>>, Ts> && ...);
}  // namespace detail

template <plan_node... Nodes>
class ConcurrentlyNode {
  static_assert(sizeof...(Nodes) >= 2, "Concurrently needs at least two branches");

 public:
  using item_type = std::conditional_t<detail::all_same_v<typename Nodes::item_type...>,
                                       std::tuple_element_t<0, std::tuple<typename Nodes::item_type...>>,
                                       std::variant<typename Nodes::item_type...>>;

  ConcurrentlyNode(ConcurrentlyOptions options, Nodes... nodes) : nodes_(std::move(nodes)...) {
    constexpr std::size_t n = sizeof...(Nodes);
    emits_.assign(n, options.output_indexes.empty());
    for (std::size_t i : options.output_indexes) {
      if (i >= n) throw ConfigError("Concurrently output_indexes", "index " + std::to_string(i) + " but there are " + std::to_string(n) + " branches");
      emits_[i] = true;
    }
    if (options.mode == ConcurrencyMode::async) {
      if (!options.round_robin_weights.empty())
        throw ConfigError("Concurrently round_robin_weights", "are only for mode round_robin (as RLlib's)");
      weights_.assign(n, 1);
    } else if (options.round_robin_weights.empty()) {
      weights_.assign(n, 1);
    } else {
      if (options.round_robin_weights.size() != n)
        throw ConfigError("Concurrently round_robin_weights", "has " + std::to_string(options.round_robin_weights.size()) +
                                                                  " weights for " + std::to_string(n) + " branches");
      bool all_star = true;
      for (int w : options.round_robin_weights) {
        if (w == 0 || w < -1) throw ConfigError("Concurrently round_robin_weights", "a weight is a positive count or -1 (\"*\"), got " + std::to_string(w));
        all_star = all_star && w == -1;
      }
      if (all_star) throw ConfigError("Concurrently round_robin_weights", "cannot all be \"*\"");
      weights_ = options.round_robin_weights;
    }
  }

  std::optional<item_type> next() {
    constexpr std::size_t n = sizeof...(Nodes);
    // At most one full cycle of turns per call: if nothing came out, report not ready.
    for (std::size_t turns = 0; turns <= n; ++turns) {
      while (true) {
        bool ready = false;
        std::optional<item_type> out = pull(current_, ready);
        ++pulls_in_turn_;
        const int w = weights_[current_];
        const bool turn_over = !ready || (w > 0 && pulls_in_turn_ >= w);
        if (turn_over) {
          current_ = (current_ + 1) % n;
          pulls_in_turn_ = 0;
        }
        if (out) return out;
        if (turn_over) break;
        if (w == -1 && pulls_in_turn_ > 100000) throw Error("Concurrently", "a \"*\" branch never runs dry");
      }
    }
    return std::nullopt;
  }

  Json get_state() const {
    Json branches = Json::array();
    std::apply([&](const auto&... node) { (branches.push_back(plan_state(node)), ...); }, nodes_);
    return Json{{"current", current_}, {"pulls_in_turn", pulls_in_turn_}, {"branches", std::move(branches)}};
  }
  void set_state(const Json& state) {
    current_ = state.at("current").get<std::size_t>();
    pulls_in_turn_ = state.at("pulls_in_turn").get<int>();
    const Json& branches = state.at("branches");
    if (!branches.is_array() || branches.size() != sizeof...(Nodes))
      throw CheckpointError("Concurrently state", "has a different number of branches");
    std::size_t i = 0;
    std::apply([&](auto&... node) { (set_plan_state(node, branches[i++]), ...); }, nodes_);
  }

 private:
  template <std::size_t I = 0>
  std::optional<item_type> pull(std::size_t index, bool& ready) {
    if constexpr (I == sizeof...(Nodes)) {
      return std::nullopt;
    } else {
      if (index != I) return pull<I + 1>(index, ready);
      auto value = std::get<I>(nodes_).next();
      ready = value.has_value();
      if (!value || !emits_[I]) return std::nullopt;
      if constexpr (detail::all_same_v<typename Nodes::item_type...>) return std::optional<item_type>(std::move(*value));
      else return std::optional<item_type>(item_type(std::in_place_index<I>, std::move(*value)));
    }
  }

  std::tuple<Nodes...> nodes_;
  std::vector<bool> emits_;
  std::vector<int> weights_;
  std::size_t current_ = 0;
  int pulls_in_turn_ = 0;
};

template <plan_node... Nodes>
ConcurrentlyNode<Nodes...> Concurrently(ConcurrentlyOptions options, Nodes... nodes) {
  return ConcurrentlyNode<Nodes...>(std::move(options), std::move(nodes)...);
}

}  // namespace rlpp
