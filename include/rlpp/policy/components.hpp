#pragma once
// The components a policy is assembled from, as named template parameters (core/meta.hpp):
// loss<L>, model<M>, action_dist<D>, postprocess<P>, optimizer<O>, exploration<E>, stats<S>,
// mixins<Ms...>. Each kind has a concept; build_policy checks them with static_asserts whose
// messages name the concept, so a wrong component fails with one readable line.

#include <concepts>
#include <type_traits>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/meta.hpp"

namespace rlpp {

struct loss_tag {};
struct model_tag {};
struct action_dist_tag {};
struct postprocess_tag {};
struct optimizer_tag {};
struct exploration_tag {};
struct stats_tag {};
struct mixins_tag {};

template <class L> using loss = named<loss_tag, L>;
template <class M> using model = named<model_tag, M>;
template <class D> using action_dist = named<action_dist_tag, D>;
template <class P> using postprocess = named<postprocess_tag, P>;
template <class O> using optimizer = named<optimizer_tag, O>;
template <class E> using exploration = named<exploration_tag, E>;
template <class S> using stats = named<stats_tag, S>;
template <class... Ms> using mixins = named<mixins_tag, type_list<Ms...>>;

using policy_component_tags = type_list<loss_tag, model_tag, action_dist_tag, postprocess_tag, optimizer_tag,
                                        exploration_tag, stats_tag, mixins_tag>;

// A loss: called with the policy's loss context (batch columns as tape values, the model's
// outputs, the action distribution), it returns the scalar to minimize.
template <class L, class Context>
concept loss_function = std::default_initializable<L> || std::constructible_from<L, const Json&>;

// The loss used when a policy names none: calling learn_on_batch on it is an error, which is
// right for inference-only policies (heuristics, exported models).
struct NoLoss {
  template <class Context>
  ad::Var operator()(Context& c) const {
    throw Error("Policy '" + std::string(c.policy_name()) + "'.learn_on_batch", "the policy has no loss",
                "build it with rlpp::loss<YourLoss>");
  }
};

// Postprocessing that leaves the trajectory as sampled.
struct NoPostprocessing {
  template <class Policy, class Batch>
  void operator()(Policy&, Batch&) const {}
};

// Stats that add nothing beyond what the loss records.
struct NoStats {
  template <class Policy>
  void operator()(const Policy&, Json&) const {}
};

namespace detail {
template <class T>
inline constexpr bool is_type_list = false;
template <class... Ts>
inline constexpr bool is_type_list<type_list<Ts...>> = true;

// Params without those whose tag one of New binds, then New: `with<>`'s replacement rule.
template <class Kept, class Params, class New>
struct replace_named_impl;
template <class... Kept, class New>
struct replace_named_impl<type_list<Kept...>, type_list<>, New> {
  using type = list_concat_t<type_list<Kept...>, New>;
};
template <class... Kept, class P, class... Rest, class... New>
struct replace_named_impl<type_list<Kept...>, type_list<P, Rest...>, type_list<New...>> {
  using type = typename replace_named_impl<
      std::conditional_t<has_named_v<typename P::tag, New...>, type_list<Kept...>, type_list<Kept..., P>>,
      type_list<Rest...>, type_list<New...>>::type;
};
}  // namespace detail

// type_list of Params with New's components replacing those of the same kind.
template <class Params, class... New>
using replace_named_t = typename detail::replace_named_impl<type_list<>, Params, type_list<New...>>::type;

}  // namespace rlpp
