#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/meta.hpp"
#include "rlpp/core/timer.hpp"

namespace {
struct loss_tag {};
struct model_tag {};
struct dist_tag {};
template <class T> using loss = rlpp::named<loss_tag, T>;
template <class T> using model = rlpp::named<model_tag, T>;
struct DefaultLoss {};
struct MyLoss {};
struct MyModel {};
struct DefaultModel {};

template <rlpp::fixed_string Name>
struct Named {
  static constexpr std::string_view name = Name;
};

using accepted = rlpp::type_list<loss_tag, model_tag>;
}  // namespace

TEST_CASE("type lists: contains, concat, at, index_of, transform") {
  using L = rlpp::type_list<int, double, char>;
  static_assert(L::size == 3);
  static_assert(rlpp::list_contains_v<L, double>);
  static_assert(!rlpp::list_contains_v<L, float>);
  static_assert(std::is_same_v<rlpp::list_concat_t<L, rlpp::type_list<float>>, rlpp::type_list<int, double, char, float>>);
  static_assert(std::is_same_v<rlpp::list_at_t<1, L>, double>);
  static_assert(rlpp::list_index_of_v<L, char> == 2);
  static_assert(rlpp::list_index_of_v<L, float> == 3);
  static_assert(std::is_same_v<rlpp::list_transform_t<std::add_pointer_t, L>, rlpp::type_list<int*, double*, char*>>);
  std::vector<std::size_t> sizes;
  rlpp::for_each_type(L{}, [&]<class T>() { sizes.push_back(sizeof(T)); });
  CHECK(sizes == std::vector<std::size_t>{sizeof(int), sizeof(double), sizeof(char)});
}

TEST_CASE("fixed_string carries a name as a template argument") {
  CHECK(Named<"PPOPolicy">::name == "PPOPolicy");
  static_assert(rlpp::fixed_string("ab") == rlpp::fixed_string("ab"));
  static_assert(!(rlpp::fixed_string("ab") == rlpp::fixed_string("abc")));
  static_assert(rlpp::fixed_string("abc").size() == 3);
  static_assert(!std::is_same_v<Named<"A">, Named<"B">>);
}

TEST_CASE("named template parameters are found in any order, with defaults") {
  static_assert(std::is_same_v<rlpp::find_named_t<loss_tag, DefaultLoss, model<MyModel>, loss<MyLoss>>, MyLoss>);
  static_assert(std::is_same_v<rlpp::find_named_t<model_tag, DefaultModel, loss<MyLoss>>, DefaultModel>);
  static_assert(rlpp::has_named_v<loss_tag, loss<MyLoss>>);
  static_assert(!rlpp::has_named_v<model_tag, loss<MyLoss>>);
  static_assert(rlpp::valid_named_parameters_v<accepted, loss<MyLoss>, model<MyModel>>);
  static_assert(!rlpp::valid_named_parameters_v<accepted, rlpp::named<dist_tag, int>>);  // tag not accepted
  static_assert(!rlpp::valid_named_parameters_v<accepted, loss<MyLoss>, loss<DefaultLoss>>);  // bound twice
  static_assert(!rlpp::valid_named_parameters_v<accepted, MyLoss>);  // not a named parameter
  CHECK(true == rlpp::valid_named_parameters_v<accepted>);
}

TEST_CASE("errors compose where, message and fix into what()") {
  const rlpp::ConfigError e("config.lr", "expected a number, got \"x\"", "set a positive float");
  CHECK(std::string(e.what()) == "config.lr: expected a number, got \"x\" (set a positive float)");
  CHECK(e.where() == "config.lr");
  CHECK(e.fix() == "set a positive float");
  const rlpp::Error& base = e;
  CHECK(base.message() == "expected a number, got \"x\"");
  CHECK(std::string(rlpp::EnvError("", "bad").what()) == "bad");
}

TEST_CASE("TimerStat averages a window of recent intervals") {
  rlpp::TimerStat<3> timer;
  CHECK(timer.mean() == 0.0);
  timer.push(1.0);
  timer.push(2.0);
  CHECK(timer.mean() == doctest::Approx(1.5));
  timer.push(3.0);
  timer.push(4.0);  // window keeps 2, 3, 4
  CHECK(timer.mean() == doctest::Approx(3.0));
  CHECK(timer.total() == doctest::Approx(10.0));
  CHECK(timer.count() == 4);
  const int value = timer.time([] { return 5; });
  CHECK(value == 5);
  CHECK(timer.count() == 5);
}
