#include "kiwoom/io_thread.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace dalbit::kiwoom {

struct IoThread::Impl {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
};

IoThread::IoThread() : impl_(std::make_unique<Impl>()) {
  thread_ = std::thread([this] { impl_->io.run(); });
}

IoThread::~IoThread() {
  impl_->work.reset();
  impl_->io.stop();
  thread_.join();
}

void IoThread::post(std::function<void()> fn) { boost::asio::post(impl_->io, std::move(fn)); }

boost::asio::io_context& IoThread::context() { return impl_->io; }

}  // namespace dalbit::kiwoom
