// JSON form of spaces: the documented format, round trips of nested spaces (with infinite
// bounds), and errors that name the JSON path of the bad value.

#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "rlpp/spaces/space.hpp"

using namespace rlpp;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

Space round_trip(const Space& space) {
  const Json json = space;
  return space_from_json(Json::parse(json.dump()));
}

// The SpaceError that reading `text` throws.
SpaceError read_error(const std::string& text) {
  try {
    (void)space_from_json(Json::parse(text));
  } catch (const SpaceError& error) {
    return error;
  }
  FAIL("no error for " << text);
  return SpaceError("", "");
}
}  // namespace

TEST_CASE("JSON of each space is the documented format") {
  CHECK(Json(Space(Discrete(3))) == Json::parse(R"({"type":"Discrete","n":3,"start":0})"));
  CHECK(Json(Space(Box(-1.0, 1.0, {3}))) ==
        Json::parse(R"({"type":"Box","low":-1.0,"high":1.0,"shape":[3],"dtype":"float32"})"));
  CHECK(
      Json(Space(Box({-inf, 0.0}, {1.0, inf}))) ==
      Json::parse(
          R"({"type":"Box","low":["-inf",0.0],"high":[1.0,"inf"],"shape":[2],"dtype":"float32"})"));
  CHECK(Json(Space(Box(0.0, 255.0, {2}, DType::int64))) ==
        Json::parse(R"({"type":"Box","low":0,"high":255,"shape":[2],"dtype":"int64"})"));
  CHECK(Json(Space(MultiDiscrete({3, 4}))) ==
        Json::parse(R"({"type":"MultiDiscrete","nvec":[3,4]})"));
  CHECK(Json(Space(MultiBinary(5))) == Json::parse(R"({"type":"MultiBinary","n":5})"));
  CHECK(Json(Space(Tuple({Discrete(2)}))) ==
        Json::parse(R"({"type":"Tuple","spaces":[{"type":"Discrete","n":2,"start":0}]})"));
  CHECK(Json(Space(Dict({{"a", MultiBinary(1)}}))) ==
        Json::parse(R"({"type":"Dict","spaces":{"a":{"type":"MultiBinary","n":1}}})"));
}

TEST_CASE("JSON round trip preserves nested spaces with infinite and per-element bounds") {
  const Space space = Dict({
      {"obs", Tuple({Discrete(4, 1), Box({-inf, -1.5, 0.0}, {inf, 2.5, inf})})},
      {"mask", MultiBinary(4)},
      {"grid", Box(-inf, 3.0, {2, 2}, DType::int64)},
      {"choice", MultiDiscrete({2, 3})},
      {"empty", Tuple({})},
  });
  const Space back = round_trip(space);
  CHECK(back == space);
  CHECK(back.to_string() == space.to_string());
  CHECK(round_trip(Box(0.1, 0.7, {1})) == Box(0.1, 0.7, {1}));  // float-rounded bounds survive
}

TEST_CASE("JSON works through nlohmann's get, get_to and implicit conversion") {
  const Json json = Json::parse(R"({"type":"MultiDiscrete","nvec":[3,4]})");
  CHECK(json.get<Space>() == MultiDiscrete({3, 4}));
  Space space = Discrete(1);
  json.get_to(space);
  CHECK(space == MultiDiscrete({3, 4}));
  from_json(Json::parse(R"({"type":"Discrete","n":2})"), space);
  CHECK(space == Discrete(2));
  const Json from_concrete = Discrete(2, 1);  // a concrete space converts through Space
  CHECK(from_concrete["start"] == 1);
}

TEST_CASE("JSON accepts optional fields and the scalar-or-array forms of Box bounds") {
  CHECK(space_from_json(Json::parse(R"({"type":"Discrete","n":3})")) == Discrete(3));
  CHECK(space_from_json(Json::parse(R"({"type":"Box","low":0,"high":1,"shape":[2]})")) ==
        Box(0.0, 1.0, {2}));
  CHECK(space_from_json(Json::parse(R"({"type":"Box","low":[0,1],"high":"inf"})")) ==
        Box({0.0, 1.0}, {inf, inf}));
  CHECK(space_from_json(Json::parse(R"({"type":"Box","low":[0,1,2,3],"high":5,"shape":[2,2]})")) ==
        Box({0, 1, 2, 3}, {5, 5, 5, 5}, {2, 2}));
  CHECK(space_from_json(Json::parse(R"({"type":"Discrete","n":3.0})")) == Discrete(3));
}

TEST_CASE("JSON with an unknown space type names the path and the known types") {
  const SpaceError error =
      read_error(R"({"type":"Tuple","spaces":[{"type":"Discrete","n":2},{"type":"Foo"}]})");
  CHECK(error.where() == "space.spaces[1].type");
  CHECK(error.message() ==
        "unknown space type \"Foo\"; expected one of Discrete, Box, MultiDiscrete, MultiBinary, "
        "Tuple, Dict");
}

TEST_CASE("JSON with a missing field names the field's path") {
  const SpaceError error =
      read_error(R"({"type":"Tuple","spaces":[{"type":"Discrete","n":2},{"type":"Discrete"}]})");
  CHECK(error.where() == "space.spaces[1].n");
  CHECK(error.message() == "missing field \"n\"; expected an integer >= 1");
  CHECK(read_error(R"({"n":2})").where() == "space.type");
  CHECK(read_error(R"({"type":"Box","low":0,"high":1})").where() == "space.shape");
}

TEST_CASE("JSON with a wrong type says what was expected and what was found") {
  SpaceError error = read_error(
      R"({"type":"Tuple","spaces":[{"type":"Discrete","n":2},{"type":"Discrete","n":"3"}]})");
  CHECK(error.where() == "space.spaces[1].n");
  CHECK(error.message() == "expected an integer, found string \"3\"");

  error = read_error(R"({"type":"Dict","spaces":{"obs":{"type":"MultiDiscrete","nvec":[2,2.5]}}})");
  CHECK(error.where() == "space.spaces.obs.nvec[1]");
  CHECK(error.message() == "expected an integer, found number 2.5");

  error = read_error(R"({"type":"Dict","spaces":{"my key":{"type":"MultiBinary","n":true}}})");
  CHECK(error.where() == "space.spaces[\"my key\"].n");
  CHECK(error.message() == "expected an integer, found boolean true");

  error = read_error(R"({"type":"Box","low":"infinity","high":1,"shape":[1]})");
  CHECK(error.where() == "space.low");
  CHECK(error.message() == "expected a number, \"inf\" or \"-inf\", found string \"infinity\"");

  error = read_error(R"({"type":"Box","low":[0,null],"high":1})");
  CHECK(error.where() == "space.low[1]");

  error = read_error(R"({"type":"Box","low":0,"high":1,"shape":[1],"dtype":"float64"})");
  CHECK(error.where() == "space.dtype");
  CHECK(error.message() == "expected \"float32\" or \"int64\", found string \"float64\"");

  error = read_error(R"({"type":"Tuple","spaces":{"a":1}})");
  CHECK(error.where() == "space.spaces");
  CHECK(error.message() == "expected an array of spaces, found object {\"a\":1}");

  error = read_error(R"([1,2])");
  CHECK(error.where() == "space");
  CHECK(error.message() == "expected an object with a \"type\" field, found array [1,2]");
}

TEST_CASE("JSON with an invalid value reports the constructor's complaint at the JSON path") {
  SpaceError error =
      read_error(R"({"type":"Tuple","spaces":[{"type":"Box","low":[0,3],"high":[1,2]}]})");
  CHECK(error.where() == "space.spaces[0]");
  CHECK(error.message() == "low[1] = 3.0 > high[1] = 2.0");

  error = read_error(R"({"type":"Discrete","n":0})");
  CHECK(error.where() == "space.n");
  CHECK(error.message() == "expected an integer >= 1, found 0");

  error = read_error(R"({"type":"Dict","spaces":{"a":{"type":"MultiDiscrete","nvec":[]}}})");
  CHECK(error.where() == "space.spaces.a");
  CHECK(error.message() == "nvec is empty");
}

TEST_CASE("JSON errors start from the root path the caller names") {
  try {
    (void)space_from_json(
        Json::parse(R"({"type":"Tuple","spaces":[{"type":"MultiBinary","n":0}]})"),
        "config.observation_space");
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.where() == "config.observation_space.spaces[0].n");
  }
}

TEST_CASE("JSON with an unknown field is an error, so typos do not fall back to defaults") {
  const SpaceError error = read_error(R"({"type":"Discrete","n":3,"strat":1})");
  CHECK(error.where() == "space.strat");
  CHECK(error.message() ==
        "unknown field \"strat\" in a Discrete space; expected one of: type, n, start");
}
