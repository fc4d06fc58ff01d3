// flat_codec: the flat float encoding of plain C++ values (numbers, arrays, vectors, tuples,
// pairs) and of a user type that specializes the codec.

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "rlpp/spaces/flat_value.hpp"

using rlpp::flat_size_of;
using rlpp::read_flat;
using rlpp::SpaceError;
using rlpp::write_flat;

namespace user {
// A user's observation type: CartPole's state as four named doubles.
struct CartPoleState {
  double x = 0, x_dot = 0, theta = 0, theta_dot = 0;
  friend bool operator==(const CartPoleState&, const CartPoleState&) = default;
};
struct NotEncodable {};
}  // namespace user

template <>
struct rlpp::flat_codec<user::CartPoleState> {
  static constexpr std::size_t fixed_size = 4;
  static constexpr std::size_t size(const user::CartPoleState&) noexcept { return 4; }
  static void write(const user::CartPoleState& s, std::span<float> out) noexcept {
    out[0] = static_cast<float>(s.x);
    out[1] = static_cast<float>(s.x_dot);
    out[2] = static_cast<float>(s.theta);
    out[3] = static_cast<float>(s.theta_dot);
  }
  static void read(std::span<const float> in, user::CartPoleState& s) noexcept {
    s = {in[0], in[1], in[2], in[3]};
  }
};

static_assert(rlpp::flat_encodable<float>);
static_assert(rlpp::flat_encodable<bool>);
static_assert(rlpp::flat_encodable<std::array<int, 3>>);
static_assert(rlpp::flat_encodable<std::vector<double>>);
static_assert(rlpp::flat_encodable<std::tuple<int, std::vector<float>>>);
static_assert(rlpp::flat_encodable<std::pair<bool, std::array<float, 2>>>);
static_assert(rlpp::flat_encodable<user::CartPoleState>);
static_assert(!rlpp::flat_encodable<user::NotEncodable>);
static_assert(!rlpp::flat_encodable<std::vector<bool>>);
static_assert(!rlpp::flat_encodable<std::tuple<int, user::NotEncodable>>);
static_assert(rlpp::flat_size_v<double> == 1);
static_assert(rlpp::flat_size_v<std::array<float, 3>> == 3);
static_assert(rlpp::flat_size_v<std::tuple<int, std::array<double, 2>, user::CartPoleState>> ==
              1 + 2 + 4);
static_assert(rlpp::flat_size_v<std::array<std::pair<int, float>, 3>> == 3 * 2);
static_assert(!rlpp::fixed_flat_size<std::vector<float>>);
static_assert(!rlpp::fixed_flat_size<std::tuple<int, std::vector<float>>>);

TEST_CASE("numbers and bool encode to one float") {
  std::array<float, 1> flat{};
  write_flat(2.5, flat);
  CHECK(flat[0] == 2.5f);
  write_flat(std::int64_t{-7}, flat);
  CHECK(flat[0] == -7.0f);
  write_flat(true, flat);
  CHECK(flat[0] == 1.0f);
  CHECK(flat_size_of(3) == 1);

  double d = 0;
  read_flat(std::array{0.25f}, d);
  CHECK(d == 0.25);
  int i = 0;
  read_flat(std::array{-3.0f}, i);
  CHECK(i == -3);
  std::uint8_t byte = 0;
  read_flat(std::array{255.0f}, byte);
  CHECK(byte == 255);
  bool b = false;
  read_flat(std::array{1.0f}, b);
  CHECK(b);
}

TEST_CASE("reading an integer or bool from a float checks integrality and range") {
  int i = 0;
  CHECK_THROWS_AS(read_flat(std::array{2.5f}, i), SpaceError);
  CHECK_THROWS_AS(read_flat(std::array{NAN}, i), SpaceError);
  CHECK_THROWS_AS(read_flat(std::array{1e10f}, i), SpaceError);  // > 2^31
  std::uint8_t byte = 0;
  CHECK_THROWS_AS(read_flat(std::array{256.0f}, byte), SpaceError);
  CHECK_THROWS_AS(read_flat(std::array{-1.0f}, byte), SpaceError);
  bool b = false;
  CHECK_THROWS_AS(read_flat(std::array{0.5f}, b), SpaceError);
  CHECK_THROWS_AS(read_flat(std::array{2.0f}, b), SpaceError);
}

TEST_CASE("std::array encodes to N floats in order") {
  const std::array<int, 3> value{4, -1, 7};
  std::array<float, 3> flat{};
  write_flat(value, flat);
  CHECK(flat == std::array{4.0f, -1.0f, 7.0f});
  std::array<double, 3> back{};
  read_flat(flat, back);
  CHECK(back == std::array{4.0, -1.0, 7.0});
}

TEST_CASE("std::vector encodes to one float per element and a bare vector is resized on read") {
  std::array<float, 3> flat{};
  write_flat(std::vector<float>{1.5f, 2.5f, 3.5f}, flat);
  CHECK(flat == std::array{1.5f, 2.5f, 3.5f});
  write_flat(std::vector<int>{1, 2, 3}, flat);
  CHECK(flat == std::array{1.0f, 2.0f, 3.0f});

  std::vector<double> doubles;
  read_flat(flat, doubles);
  CHECK(doubles == std::vector<double>{1.0, 2.0, 3.0});
  std::vector<std::int64_t> longs(10);
  read_flat(flat, longs);
  CHECK(longs == std::vector<std::int64_t>{1, 2, 3});
  std::vector<int> ints;
  read_flat(flat, ints);
  CHECK(ints == std::vector<int>{1, 2, 3});
  std::vector<float> floats;
  read_flat(std::span<const float>{}, floats);
  CHECK(floats.empty());
}

TEST_CASE("std::tuple and std::pair concatenate their elements, recursively") {
  // (int 3, [1.5, -2], (true, 4.0)) -> [3 | 1.5 -2 | 1 4].
  const std::tuple<int, std::array<float, 2>, std::pair<bool, double>> value{
      3, {1.5f, -2.0f}, {true, 4.0}};
  CHECK(flat_size_of(value) == 5);
  std::array<float, 5> flat{};
  write_flat(value, flat);
  CHECK(flat == std::array{3.0f, 1.5f, -2.0f, 1.0f, 4.0f});
  std::tuple<int, std::array<float, 2>, std::pair<bool, double>> back{};
  read_flat(flat, back);
  CHECK(back == value);
}

TEST_CASE("a vector nested in a tuple keeps its size, which splits the flat input") {
  std::tuple<std::vector<float>, int> value{std::vector<float>(2), 0};
  read_flat(std::array{0.5f, 0.25f, 9.0f}, value);
  CHECK(std::get<0>(value) == std::vector<float>{0.5f, 0.25f});
  CHECK(std::get<1>(value) == 9);
}

TEST_CASE("write_flat and read_flat need buffers of exactly flat_size_of(value) floats") {
  std::array<float, 2> small{};
  CHECK_THROWS_AS(write_flat(std::array<float, 3>{}, small), SpaceError);
  std::array<float, 3> value{};
  CHECK_THROWS_AS(read_flat(small, value), SpaceError);
  try {
    write_flat(std::array<float, 3>{}, small);
  } catch (const SpaceError& error) {
    CHECK(error.where() == "write_flat");
    CHECK(error.message() == "output has 2 floats; the value needs 3");
  }
}

TEST_CASE("a user type joins by specializing flat_codec") {
  const user::CartPoleState state{0.5, -1.0, 0.125, 2.0};
  CHECK(flat_size_of(state) == 4);
  std::array<float, 4> flat{};
  write_flat(state, flat);
  CHECK(flat == std::array{0.5f, -1.0f, 0.125f, 2.0f});
  user::CartPoleState back;
  read_flat(flat, back);
  CHECK(back == state);
  // ... and composes with the built-in codecs.
  std::pair<user::CartPoleState, int> pair{state, 1};
  std::array<float, 5> flat5{};
  write_flat(pair, flat5);
  CHECK(flat5 == std::array{0.5f, -1.0f, 0.125f, 2.0f, 1.0f});
}
