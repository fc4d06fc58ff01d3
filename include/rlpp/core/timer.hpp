#pragma once
// Timers for throughput and result reporting: Stopwatch measures one interval; TimerStat keeps
// the mean over a window of recent intervals (RLlib's TimerStat, used for "timers" in results).

#include <array>
#include <chrono>
#include <cstddef>

namespace rlpp {

class Stopwatch {
 public:
  using clock = std::chrono::steady_clock;
  Stopwatch() noexcept : start_(clock::now()) {}
  void restart() noexcept { start_ = clock::now(); }
  double seconds() const noexcept { return std::chrono::duration<double>(clock::now() - start_).count(); }

 private:
  clock::time_point start_;
};

// Mean of the last `Window` recorded durations, plus totals; fixed storage, no allocation.
template <std::size_t Window = 100>
class TimerStat {
 public:
  void push(double seconds) noexcept {
    samples_[next_] = seconds;
    next_ = (next_ + 1) % Window;
    if (filled_ < Window) ++filled_;
    total_ += seconds;
    ++count_;
  }
  // Runs f() and records how long it took.
  template <class F>
  decltype(auto) time(F&& f) {
    Stopwatch watch;
    struct Record {
      TimerStat* self;
      Stopwatch* watch;
      ~Record() { self->push(watch->seconds()); }
    } record{this, &watch};
    return f();
  }
  double mean() const noexcept {
    if (filled_ == 0) return 0.0;
    double sum = 0.0;
    for (std::size_t i = 0; i < filled_; ++i) sum += samples_[i];
    return sum / static_cast<double>(filled_);
  }
  double total() const noexcept { return total_; }
  std::size_t count() const noexcept { return count_; }

 private:
  std::array<double, Window> samples_{};
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
  double total_ = 0.0;
  std::size_t count_ = 0;
};

}  // namespace rlpp
