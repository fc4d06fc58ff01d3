#pragma once
// Random streams. Every random draw in rlpp comes from a RandomStream derived from
// (seed, worker index, env index, purpose), so that results do not depend on thread count
// or scheduling. Generator: xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64.
// All integer and uniform draws are defined bit for bit here (no std::*_distribution, whose
// output differs between standard libraries); normal() additionally uses std::log and std::sqrt.

#include <array>
#include <optional>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

namespace rlpp {

// A stable 64-bit id for a purpose name (FNV-1a), usable at compile time.
constexpr std::uint64_t purpose_id(std::string_view name) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

namespace detail {
__extension__ using uint128 = unsigned __int128;  // GCC/Clang extension; __extension__ keeps -Wpedantic quiet

// Returns x unchanged but opaque to the optimizer, so that a product passed through it cannot be
// fused with a following addition into one FMA (what GCC's default -ffp-contract=fast does
// under -march=native). Draws are then rounded the same way on every build.
constexpr double no_contract(double x) noexcept {
  if (std::is_constant_evaluated()) return x;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm("" : "+x"(x));
#elif defined(__GNUC__) && defined(__aarch64__)
  asm("" : "+w"(x));
#elif defined(__GNUC__)
  asm("" : "+m"(x));
#endif
  return x;
}

constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace detail

// Which stream: the run's seed, the rollout worker and sub-env it serves, and what it is for.
struct StreamKey {
  std::uint64_t seed = 0;
  std::uint64_t worker_index = 0;
  std::uint64_t env_index = 0;
  std::uint64_t purpose = 0;  // purpose_id("...")
};

class RandomStream {
 public:
  using result_type = std::uint64_t;

  // A stream from a bare seed (what an env's reset(seed) uses).
  constexpr explicit RandomStream(std::uint64_t seed = 0) noexcept {
    seed_from(std::array<std::uint64_t, 4>{seed, 0, 0, 0});
  }
  // The stream for (seed, worker, env, purpose); distinct keys give independent streams.
  constexpr explicit RandomStream(const StreamKey& key) noexcept {
    seed_from(std::array<std::uint64_t, 4>{key.seed, key.worker_index, key.env_index, key.purpose});
  }
  constexpr RandomStream(std::uint64_t seed, std::uint64_t worker_index, std::uint64_t env_index,
                         std::string_view purpose) noexcept
      : RandomStream(StreamKey{seed, worker_index, env_index, purpose_id(purpose)}) {}

  // A child stream for a sub-purpose, derived from this stream's current state without
  // advancing it.
  constexpr RandomStream derive(std::string_view purpose) const noexcept {
    RandomStream child = *this;
    child.seed_from(std::array<std::uint64_t, 4>{state_[0] ^ state_[2], state_[1] ^ state_[3],
                                                 purpose_id(purpose), 0x5eedULL});
    return child;
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  // Next 64 random bits (xoshiro256**).
  constexpr result_type operator()() noexcept { return next_u64(); }
  constexpr std::uint64_t next_u64() noexcept {
    const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }

  // Uniform double in [0, 1) with 53 random bits.
  constexpr double uniform() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform double in [low, high): low + (high - low) * u, each operation rounded separately.
  constexpr double uniform(double low, double high) noexcept {
    return low + detail::no_contract((high - low) * uniform());
  }
  // Uniform float in [0, 1) with 24 random bits.
  constexpr float uniform_float() noexcept {
    return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f;
  }

  // Uniform integer in [0, n) without bias (Lemire's multiply-and-reject). n must be > 0.
  constexpr std::uint64_t below(std::uint64_t n) noexcept {
    detail::uint128 product = static_cast<detail::uint128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(product);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        product = static_cast<detail::uint128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(product);
      }
    }
    return static_cast<std::uint64_t>(product >> 64);
  }
  // Uniform integer in [low, high] (both inclusive).
  constexpr std::int64_t integer(std::int64_t low, std::int64_t high) noexcept {
    const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
    if (span == std::numeric_limits<std::uint64_t>::max()) return static_cast<std::int64_t>(next_u64());
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + below(span + 1));
  }

  constexpr bool bernoulli(double p) noexcept { return uniform() < p; }

  // Standard normal (Marsaglia's polar method; the spare value is cached).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0, v = 0, s = 0;
    do {
      u = uniform(-1.0, 1.0);
      v = uniform(-1.0, 1.0);
      s = detail::no_contract(u * u) + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }
  double normal(double mean, double stddev) noexcept { return mean + detail::no_contract(stddev * normal()); }
  // Exponential with rate 1 (for half-bounded Box sampling, as Gymnasium does).
  double exponential() noexcept { return -std::log1p(-uniform()); }

  // Fisher-Yates shuffle, defined here so every platform gives the same permutation.
  template <class T>
  constexpr void shuffle(std::span<T> items) noexcept {
    for (std::size_t i = items.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(below(i));
      using std::swap;
      swap(items[i - 1], items[j]);
    }
  }

  // The raw generator state and the cached normal() spare, for checkpoints and exact restore:
  // from_state(state(), spare()) continues the stream exactly.
  constexpr const std::array<std::uint64_t, 4>& state() const noexcept { return state_; }
  constexpr std::optional<double> spare() const noexcept {
    return has_spare_ ? std::optional<double>(spare_) : std::nullopt;
  }
  static constexpr RandomStream from_state(const std::array<std::uint64_t, 4>& state,
                                           std::optional<double> spare = std::nullopt) noexcept {
    RandomStream stream;
    stream.state_ = state;
    stream.has_spare_ = spare.has_value();
    stream.spare_ = spare.value_or(0.0);
    return stream;
  }

  friend constexpr bool operator==(const RandomStream&, const RandomStream&) = default;

 private:
  constexpr void seed_from(const std::array<std::uint64_t, 4>& key) noexcept {
    // Absorb the key words one after another through SplitMix64, then expand to 256 bits.
    std::uint64_t mix = 0x6a09e667f3bcc909ULL;
    for (std::uint64_t word : key) {
      mix ^= word;
      mix = detail::splitmix64(mix);
    }
    for (auto& word : state_) word = detail::splitmix64(mix);
    has_spare_ = false;
    spare_ = 0.0;
  }

  std::array<std::uint64_t, 4> state_{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace rlpp
