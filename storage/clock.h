// The time source for everything that expires. The server uses the system clock; tests inject a
// ManualClock and move it with AdvanceTime, so no test ever sleeps on the wall clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace baozi {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in microseconds.
  virtual int64_t NowUs() const = 0;
  int64_t NowMs() const { return NowUs() / 1000; }
};

class SystemClock final : public Clock {
 public:
  int64_t NowUs() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_us = 1'700'000'000'000'000) : now_us_(start_us) {}
  int64_t NowUs() const override { return now_us_; }
  void AdvanceUs(int64_t us) { now_us_ += us; }
  void SetUs(int64_t us) { now_us_ = us; }

 private:
  int64_t now_us_;
};

}  // namespace baozi
