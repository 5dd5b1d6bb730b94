// The network thread: one io_context run by one thread. Every Kiwoom client
// object (transport, REST client, WebSocket client) lives on it and is only
// touched from it; other threads hand it work with post(). Results go back to
// the engine through the caller's own Deliver function (see rest_client.h).
//
// Boost stays out of this header: context() is for the .cpp files that build
// the Asio objects.
#pragma once

#include <functional>
#include <memory>
#include <thread>

namespace boost::asio {
class io_context;
}

namespace dalbit::kiwoom {

class IoThread {
 public:
  IoThread();
  // Stops the loop and joins; handlers still queued are dropped.
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  void post(std::function<void()> fn);
  [[nodiscard]] boost::asio::io_context& context();
  [[nodiscard]] bool on_this_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace dalbit::kiwoom
