#pragma once
// The pipeline an execution plan is made of (RLlib's LocalIterator, as types): a source node
// yields items one pull at a time, and `node | stage` attaches a stage to it, giving a new node
// whose type records the whole chain. `next()` returns an item or, when none is ready yet (a
// replay buffer still filling, a ConcatBatches still collecting), std::nullopt: the puller tries
// again, as RLlib's NextValueNotReady. Plans are endless; Trainer::train() pulls until one
// result dict comes out.
//
//   auto plan = ParallelRollouts(ctx) | ConcatBatches(200) | TrainOneStep(ctx)
//             | StandardMetricsReporting(ctx);
//   std::optional<Json> result = plan.next();
//
// Generic stages: for_each(f) (f(item) -> T, or std::optional<T> to drop or hold items),
// flatten() (vectors to their elements), batch(n) (n items to one vector). Nodes and stage
// functions with a `Json get_state() const` / `void set_state(const Json&)` are checkpointed
// (plan_state / set_plan_state), so a restored plan continues where it was.

#include <concepts>
#include <cstddef>
#include <deque>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp {

// A pullable node: `item_type` and `std::optional<item_type> next()`.
template <class N>
concept plan_node = requires(N& n) {
  typename N::item_type;
  { n.next() } -> std::same_as<std::optional<typename N::item_type>>;
};

// A stage that can be attached below node N.
template <class S, class N>
concept plan_stage_for = plan_node<N> && requires(S&& s, N&& n) {
  { std::forward<S>(s).attach(std::forward<N>(n)) } -> plan_node;
};

template <class N, class S>
  requires plan_node<std::remove_cvref_t<N>> && plan_stage_for<std::remove_cvref_t<S>, std::remove_cvref_t<N>>
auto operator|(N&& node, S&& stage) {
  return std::remove_cvref_t<S>(std::forward<S>(stage)).attach(std::remove_cvref_t<N>(std::forward<N>(node)));
}

namespace detail {
template <class T>
concept has_plan_state = requires(const T& t, T& m, const Json& j) {
  { t.get_state() } -> std::same_as<Json>;
  m.set_state(j);
};
template <class T> struct optional_value { using type = T; static constexpr bool is_optional = false; };
template <class T> struct optional_value<std::optional<T>> { using type = T; static constexpr bool is_optional = true; };
}  // namespace detail

// The state of a node or stage function that has one, else null.
template <class T>
Json plan_state(const T& t) {
  if constexpr (detail::has_plan_state<T>) return t.get_state();
  else return nullptr;
}
template <class T>
void set_plan_state(T& t, const Json& state) {
  if constexpr (detail::has_plan_state<T>) {
    t.set_state(state);
  } else if (!state.is_null()) {
    throw CheckpointError("execution plan state", "holds state for a stage that has none",
                          "the checkpoint was written by a different execution plan");
  }
}

// ---- for_each -------------------------------------------------------------------------------
template <class Up, class F>
class ForEachNode {
  using result = std::invoke_result_t<F&, typename Up::item_type&&>;

 public:
  using item_type = typename detail::optional_value<result>::type;

  ForEachNode(Up up, F f) : up_(std::move(up)), f_(std::move(f)) {}

  std::optional<item_type> next() {
    std::optional<typename Up::item_type> in = up_.next();
    if (!in) return std::nullopt;
    if constexpr (detail::optional_value<result>::is_optional) return f_(std::move(*in));
    else return std::optional<item_type>(f_(std::move(*in)));
  }
  F& function() noexcept { return f_; }
  Up& upstream() noexcept { return up_; }

  Json get_state() const { return Json::array({plan_state(up_), plan_state(f_)}); }
  void set_state(const Json& state) {
    check_pair(state);
    set_plan_state(up_, state[0]);
    set_plan_state(f_, state[1]);
  }

 private:
  static void check_pair(const Json& state) {
    if (!state.is_array() || state.size() != 2)
      throw CheckpointError("execution plan state", "does not match the plan's stages",
                            "the checkpoint was written by a different execution plan");
  }
  Up up_;
  F f_;
};

// A stage applying f to each item: f(item) -> T (a map), or -> std::optional<T> (nullopt: no
// output for this pull, e.g. still collecting).
template <class F>
struct ForEach {
  F f;
  template <plan_node Up>
  auto attach(Up up) && { return ForEachNode<Up, F>(std::move(up), std::move(f)); }
};
template <class F>
ForEach<std::decay_t<F>> for_each(F&& f) {
  return {std::forward<F>(f)};
}

// ---- flatten --------------------------------------------------------------------------------
template <class Up>
class FlattenNode {
 public:
  using item_type = typename Up::item_type::value_type;
  explicit FlattenNode(Up up) : up_(std::move(up)) {}

  std::optional<item_type> next() {
    while (queue_.empty()) {
      std::optional<typename Up::item_type> in = up_.next();
      if (!in) return std::nullopt;
      for (auto& item : *in) queue_.push_back(std::move(item));
    }
    item_type out = std::move(queue_.front());
    queue_.pop_front();
    return out;
  }
  // Items in the queue are not checkpointed: flatten a plan's list outputs only where the list
  // is consumed within one pull (the usual case).
  Json get_state() const { return plan_state(up_); }
  void set_state(const Json& state) { set_plan_state(up_, state); }

 private:
  Up up_;
  std::deque<item_type> queue_;
};
struct Flatten {
  template <plan_node Up>
  auto attach(Up up) && { return FlattenNode<Up>(std::move(up)); }
};
inline Flatten flatten() { return {}; }

// ---- batch ----------------------------------------------------------------------------------
template <class Up>
class BatchNode {
 public:
  using item_type = std::vector<typename Up::item_type>;
  BatchNode(Up up, std::size_t n) : up_(std::move(up)), n_(n) {}

  std::optional<item_type> next() {
    std::optional<typename Up::item_type> in = up_.next();
    if (!in) return std::nullopt;
    buffer_.push_back(std::move(*in));
    if (buffer_.size() < n_) return std::nullopt;
    return std::exchange(buffer_, {});
  }
  Json get_state() const { return plan_state(up_); }
  void set_state(const Json& state) { set_plan_state(up_, state); }

 private:
  Up up_;
  std::size_t n_;
  item_type buffer_;
};
struct Batch {
  std::size_t n;
  template <plan_node Up>
  auto attach(Up up) && { return BatchNode<Up>(std::move(up), n); }
};
// Groups n consecutive items into one vector (RLlib's .batch(n)).
inline Batch batch(std::size_t n) {
  if (n == 0) throw ConfigError("batch(n)", "n is 0", "group at least one item");
  return {n};
}

}  // namespace rlpp
