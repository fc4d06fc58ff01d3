// Space, Tuple and Dict: the type-erased value, composite flat layout, nested preprocessing,
// sampling of every kind, equality and repr.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rlpp/spaces/space.hpp"

using namespace rlpp;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

// Tuple(Discrete(3), Dict(z: MultiDiscrete([2 3]), a: Box(-1, 1, (2,)))): the Dict sorts to
// a, z, so the flat layout is [d | a0 a1 | z0 z1] and the preprocessed one
// [one-hot(d) of 3 | a0 a1 | one-hot(z0) of 2 | one-hot(z1) of 3].
Space nested_space() {
  return Tuple({Discrete(3), Dict({{"z", MultiDiscrete({2, 3})}, {"a", Box(-1.0, 1.0, {2})}})});
}
}  // namespace

TEST_CASE("Space knows which concrete space it holds") {
  const Space space = Discrete(3);
  CHECK(space.kind() == SpaceKind::discrete);
  CHECK(space.is<Discrete>());
  CHECK_FALSE(space.is<Box>());
  REQUIRE(space.get_if<Discrete>() != nullptr);
  CHECK(space.get_if<Discrete>()->n() == 3);
  CHECK(space.get_if<Box>() == nullptr);
  CHECK(space.as<Discrete>().n() == 3);
  CHECK(Space(Box(0.0, 1.0, {1})).kind() == SpaceKind::box);
  CHECK(Space(MultiDiscrete({2})).kind() == SpaceKind::multi_discrete);
  CHECK(Space(MultiBinary(2)).kind() == SpaceKind::multi_binary);
  CHECK(Space(Tuple({})).kind() == SpaceKind::tuple);
  CHECK(Space(Dict({})).kind() == SpaceKind::dict);
  CHECK(to_string(SpaceKind::multi_binary) == "MultiBinary");
}

TEST_CASE("Space::as of the wrong type says what was expected and what it got") {
  const Space space = Discrete(3);
  try {
    (void)space.as<Box>();
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.message() == "expected a Box space, got Discrete(3)");
  }
  CHECK_THROWS_AS((void)space.as<Tuple>(), SpaceError);
}

TEST_CASE("Space copies compare equal and share their node") {
  const Space a = nested_space();
  const Space b = a;  // NOLINT: the copy is the point
  CHECK(a == b);
  CHECK(&a.as<Tuple>() == &b.as<Tuple>());
}

TEST_CASE(
    "Space flat sizes: Discrete 1, Box prod(shape), MultiDiscrete k, MultiBinary n, composites "
    "sum") {
  CHECK(Space(Discrete(7)).flat_size() == 1);
  CHECK(Space(Box(0.0, 1.0, {2, 3})).flat_size() == 6);
  CHECK(Space(MultiDiscrete({2, 3, 4})).flat_size() == 3);
  CHECK(Space(MultiBinary(5)).flat_size() == 5);
  CHECK(Space(Tuple({Discrete(7), MultiBinary(5)})).flat_size() == 1 + 5);
  const Space nested = nested_space();
  CHECK(nested.flat_size() == 1 + 2 + 2);
  CHECK(nested.preprocessed_size() == 3 + 2 + (2 + 3));
  CHECK(Space(Tuple({})).flat_size() == 0);
}

TEST_CASE("Space shape is Gymnasium's") {
  CHECK(Space(Discrete(3)).shape().empty());
  CHECK(Space(Box(0.0, 1.0, {2, 3})).shape() == std::vector<std::int64_t>{2, 3});
  CHECK(Space(MultiDiscrete({2, 3, 4})).shape() == std::vector<std::int64_t>{3});
  CHECK(Space(MultiBinary(5)).shape() == std::vector<std::int64_t>{5});
  CHECK(nested_space().shape().empty());
  CHECK(Space(Dict({{"a", Discrete(2)}})).shape().empty());
}

TEST_CASE("Dict sorts its children by key") {
  const Dict dict({{"b", MultiBinary(3)}, {"a", Discrete(2)}, {"c", Box(0.0, 1.0, {1})}});
  REQUIRE(dict.size() == 3);
  CHECK(dict.spaces()[0].first == "a");
  CHECK(dict.spaces()[1].first == "b");
  CHECK(dict.spaces()[2].first == "c");
  CHECK(dict["b"] == Space(MultiBinary(3)));
  CHECK(dict.find("c") != nullptr);
  CHECK(dict.find("d") == nullptr);
  // Key order given by the caller does not matter.
  CHECK(dict == Dict({{"c", Box(0.0, 1.0, {1})}, {"a", Discrete(2)}, {"b", MultiBinary(3)}}));
}

TEST_CASE("Dict rejects duplicate keys and names a missing key with the keys there are") {
  CHECK_THROWS_AS(Dict({{"a", Discrete(2)}, {"a", Discrete(3)}}), SpaceError);
  const Dict dict({{"b", MultiBinary(3)}, {"a", Discrete(2)}});
  try {
    (void)dict["c"];
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.where() == "Dict");
    CHECK(error.message() == "no key 'c'; the keys are: 'a', 'b'");
  }
}

TEST_CASE("Tuple indexes its children and checks the index") {
  const Tuple tuple({Discrete(2), MultiBinary(3)});
  CHECK(tuple.size() == 2);
  CHECK(tuple[1] == Space(MultiBinary(3)));
  CHECK_THROWS_AS((void)tuple[2], SpaceError);
}

TEST_CASE(
    "preprocess of Tuple(Discrete, Dict(MultiDiscrete, Box)) concatenates the children's outputs") {
  const Space space = nested_space();
  // d = 2, a = [0.5, -0.25], z = [1, 2].
  const std::array<float, 5> flat{2.0f, 0.5f, -0.25f, 1.0f, 2.0f};
  REQUIRE(space.contains(flat));
  std::array<float, 10> out{};
  out.fill(9.0f);
  space.preprocess(flat, out);
  // one-hot(2) of 3.
  CHECK(out[0] == 0.0f);
  CHECK(out[1] == 0.0f);
  CHECK(out[2] == 1.0f);
  // Box a as is.
  CHECK(out[3] == 0.5f);
  CHECK(out[4] == -0.25f);
  // one-hot(1) of 2, then one-hot(2) of 3.
  CHECK(out[5] == 0.0f);
  CHECK(out[6] == 1.0f);
  CHECK(out[7] == 0.0f);
  CHECK(out[8] == 0.0f);
  CHECK(out[9] == 1.0f);
}

TEST_CASE("preprocess throws on an out-of-range index deep inside a nested space") {
  const Space space = nested_space();
  std::array<float, 10> out{};
  // z1 = 3 is out of MultiDiscrete [2 3]'s second range.
  try {
    space.preprocess(std::array{2.0f, 0.5f, -0.25f, 1.0f, 3.0f}, out);
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.where() == "MultiDiscrete::preprocess");
    CHECK(error.message() == "value 3.0 is not an integer in [0, 2]");
  }
  CHECK_THROWS_AS(space.preprocess(std::array{3.0f, 0.5f, -0.25f, 1.0f, 2.0f}, out), SpaceError);
  CHECK_THROWS_AS(space.preprocess(std::array{2.0f, 0.5f, -0.25f, 1.0f}, out), SpaceError);
  std::array<float, 9> short_out{};
  CHECK_THROWS_AS(space.preprocess(std::array{2.0f, 0.5f, -0.25f, 1.0f, 2.0f}, short_out),
                  SpaceError);
}

TEST_CASE("contains of a composite checks every child and the total size") {
  const Space space = nested_space();
  CHECK(space.contains(std::array{0.0f, 1.0f, -1.0f, 0.0f, 0.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, 1.5f, -1.0f, 0.0f, 0.0f}));  // Box a0 > 1
  CHECK_FALSE(space.contains(std::array{0.0f, 1.0f, -1.0f, 2.0f, 0.0f}));  // z0 = 2 >= 2
  CHECK_FALSE(space.contains(std::array{NAN, 1.0f, -1.0f, 0.0f, 0.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, 1.0f, -1.0f, 0.0f}));
  CHECK(Space(Tuple({})).contains(std::span<const float>{}));
}

TEST_CASE("samples of every kind of space are contained in it") {
  const std::vector<Space> spaces = {
      Discrete(5, -2),
      Box(-1.0, 1.0, {3}),
      Box({-inf, 0.0, -inf, -3.0}, {inf, inf, 4.0, -3.0}),
      Box({-5.0, 0.0, -inf, -inf}, {5.0, inf, 2.0, inf}, {}, DType::int64),
      MultiDiscrete({2, 3, 7}),
      MultiBinary(6),
      nested_space(),
      Dict({{"pos", Box(-inf, inf, {2, 2})}, {"inner", Tuple({MultiBinary(2), Discrete(1)})}}),
  };
  RandomStream rng(2024);
  for (const Space& space : spaces) {
    CAPTURE(space.to_string());
    std::vector<float> flat(space.flat_size());
    for (int i = 0; i < 2000; ++i) {
      space.sample(rng, flat);
      REQUIRE(space.contains(flat));
    }
    std::vector<float> wrong(space.flat_size() + 1);
    CHECK_THROWS_AS(space.sample(rng, wrong), SpaceError);
  }
}

TEST_CASE("sampling the same space with the same seed gives the same values") {
  const Space space = nested_space();
  RandomStream a(9), b(9);
  std::array<float, 5> x{}, y{};
  for (int i = 0; i < 10; ++i) {
    space.sample(a, x);
    space.sample(b, y);
    CHECK(x == y);
  }
}

TEST_CASE("Space equality is structural") {
  CHECK(nested_space() == nested_space());
  CHECK(Space(Discrete(3)) == Space(Discrete(3)));
  CHECK(Space(Discrete(3)) != Space(Discrete(3, 1)));
  CHECK(Space(Discrete(2)) != Space(MultiBinary(2)));
  CHECK(Space(Tuple({Discrete(2), MultiBinary(2)})) != Space(Tuple({MultiBinary(2), Discrete(2)})));
  CHECK(Space(Dict({{"a", Discrete(2)}})) != Space(Dict({{"b", Discrete(2)}})));
  CHECK(Space(Box(0.0, 1.0, {2})) == Box(0.0, 1.0, {2}));  // converts the right side
}

TEST_CASE("Tuple and Dict to_string are Gymnasium's reprs") {
  CHECK(Space(Tuple({Discrete(2), Box(-1.0, 1.0, {3})})).to_string() ==
        "Tuple(Discrete(2), Box(-1.0, 1.0, (3,), float32))");
  CHECK(Space(Dict({{"b", MultiBinary(3)}, {"a", Discrete(2)}})).to_string() ==
        "Dict('a': Discrete(2), 'b': MultiBinary(3))");
  CHECK(nested_space().to_string() ==
        "Tuple(Discrete(3), Dict('a': Box(-1.0, 1.0, (2,), float32), 'z': MultiDiscrete([2 3])))");
  CHECK(Space(Tuple({})).to_string() == "Tuple()");
}
