#pragma once
// Compile-time utilities for composing algorithms by type: type lists, fixed_string (a string
// usable as a template argument, for names like build_policy<"PPOPolicy", ...>), and named
// template parameters (loss<L>, model<M>, ... given in any order, omitted ones defaulted).

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace rlpp {

// ---- type lists -----------------------------------------------------------------------------
template <class... Ts>
struct type_list {
  static constexpr std::size_t size = sizeof...(Ts);
};

namespace detail {
template <class List, class T> struct list_contains;
template <class... Ts, class T>
struct list_contains<type_list<Ts...>, T> : std::bool_constant<(std::is_same_v<Ts, T> || ...)> {};

template <class... Lists> struct list_concat;
template <> struct list_concat<> { using type = type_list<>; };
template <class... Ts> struct list_concat<type_list<Ts...>> { using type = type_list<Ts...>; };
template <class... As, class... Bs, class... Rest>
struct list_concat<type_list<As...>, type_list<Bs...>, Rest...> {
  using type = typename list_concat<type_list<As..., Bs...>, Rest...>::type;
};

template <std::size_t I, class List> struct list_at;
template <class T, class... Ts> struct list_at<0, type_list<T, Ts...>> { using type = T; };
template <std::size_t I, class T, class... Ts>
struct list_at<I, type_list<T, Ts...>> : list_at<I - 1, type_list<Ts...>> {};

template <template <class> class F, class List> struct list_transform;
template <template <class> class F, class... Ts>
struct list_transform<F, type_list<Ts...>> { using type = type_list<F<Ts>...>; };

template <class List, class T> struct list_index_of;
template <class T> struct list_index_of<type_list<>, T> : std::integral_constant<std::size_t, 0> {};
template <class T, class... Ts>
struct list_index_of<type_list<T, Ts...>, T> : std::integral_constant<std::size_t, 0> {};
template <class U, class... Ts, class T>
struct list_index_of<type_list<U, Ts...>, T>
    : std::integral_constant<std::size_t, 1 + list_index_of<type_list<Ts...>, T>::value> {};
}  // namespace detail

template <class List, class T>
inline constexpr bool list_contains_v = detail::list_contains<List, T>::value;
template <class... Lists>
using list_concat_t = typename detail::list_concat<Lists...>::type;
template <std::size_t I, class List>
using list_at_t = typename detail::list_at<I, List>::type;
template <template <class> class F, class List>
using list_transform_t = typename detail::list_transform<F, List>::type;
// Index of T in List (List::size if absent).
template <class List, class T>
inline constexpr std::size_t list_index_of_v = detail::list_index_of<List, T>::value;

// Calls f.template operator()<T>() for each T in the list, in order.
template <class... Ts, class F>
constexpr void for_each_type(type_list<Ts...>, F&& f) {
  (f.template operator()<Ts>(), ...);
}

// ---- fixed_string ---------------------------------------------------------------------------
// A string literal as a structural type: `template <fixed_string Name> struct X;` then X<"PPO">.
template <std::size_t N>
struct fixed_string {
  char value[N]{};
  constexpr fixed_string(const char (&text)[N]) { std::copy_n(text, N, value); }
  constexpr std::string_view view() const { return {value, N - 1}; }
  constexpr operator std::string_view() const { return view(); }
  constexpr std::size_t size() const { return N - 1; }
  template <std::size_t M>
  constexpr bool operator==(const fixed_string<M>& other) const { return view() == other.view(); }
};

// ---- named template parameters --------------------------------------------------------------
// A component kind is a tag; a named parameter binds a type to it: `named<loss_tag, MyLoss>`.
// Libraries expose aliases (`template <class L> using loss = named<loss_tag, L>;`) and read the
// parameters back with find_named_t<Tag, Default, Params...>.
template <class Tag, class T>
struct named {
  using tag = Tag;
  using type = T;
};

template <class P>
concept named_parameter = requires { typename P::tag; typename P::type; } &&
                          std::is_same_v<P, named<typename P::tag, typename P::type>>;

namespace detail {
template <class Tag, class Default, class... Params> struct find_named { using type = Default; };
template <class Tag, class Default, class P, class... Rest>
struct find_named<Tag, Default, P, Rest...> {
  using type = std::conditional_t<std::is_same_v<typename P::tag, Tag>, typename P::type,
                                  typename find_named<Tag, Default, Rest...>::type>;
};
template <class Tag, class... Params>
inline constexpr std::size_t count_named = (std::size_t{std::is_same_v<typename Params::tag, Tag>} + ... + 0);
}  // namespace detail

// The type bound to Tag among Params, or Default when none binds it.
template <class Tag, class Default, class... Params>
using find_named_t = typename detail::find_named<Tag, Default, Params...>::type;

// Whether some parameter binds Tag.
template <class Tag, class... Params>
inline constexpr bool has_named_v = detail::count_named<Tag, Params...> > 0;

namespace detail {
template <class AcceptedTags, class... Params>
constexpr bool check_named_parameters() {
  if constexpr ((named_parameter<Params> && ...)) {
    return (list_contains_v<AcceptedTags, typename Params::tag> && ...) &&
           ((count_named<typename Params::tag, Params...> == 1) && ...);
  } else {
    return false;
  }
}
}  // namespace detail

// Checks a parameter pack against the tags a component accepts: each parameter must be a
// named<> parameter, use an accepted tag, and bind it at most once. Use in a static_assert.
template <class AcceptedTags, class... Params>
inline constexpr bool valid_named_parameters_v = detail::check_named_parameters<AcceptedTags, Params...>();

}  // namespace rlpp
