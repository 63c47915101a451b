// The one curl <-> asio bridge: a curl multi handle driven by an io_context through curl's
// multi_socket protocol (socket and timer callbacks). Everything runs on the io_context's
// thread; nothing here blocks. Internal to the fetch stage.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <unordered_map>

namespace wirewatch::fetch {

/// Owns a CURLM and runs the easy handles added to it on an io_context.
class CurlMulti {
 public:
  /// Called (outside any curl callback) when a transfer finishes; the handle is still added,
  /// so the callee removes it with remove() before reusing or freeing it.
  using Done = std::function<void(CURL* easy, CURLcode result)>;

  /// Creates the multi handle; throws std::runtime_error if curl cannot.
  CurlMulti(boost::asio::io_context& io, Done on_done);
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;
  /// Stops watching every socket (releasing, never closing them) and frees the multi handle;
  /// easy handles still added must have been removed first.
  ~CurlMulti();

  /// Starts a transfer. Never call from inside a curl callback.
  bool add(CURL* easy);

  /// Stops (or forgets a finished) transfer. Never call from inside a curl callback.
  void remove(CURL* easy);

  /// The raw handle, for curl_multi_setopt.
  CURLM* handle() const { return multi_; }

 private:
  struct Watch;

  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* self, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  void watch(curl_socket_t socket, int what);
  void arm(const std::shared_ptr<Watch>& watch);
  void on_ready(const std::shared_ptr<Watch>& watch, int direction,
                const boost::system::error_code& error);
  void on_timeout();
  void socket_action(curl_socket_t socket, int events);
  void drain();
  void forget(curl_socket_t socket);

  boost::asio::io_context& io_;
  Done on_done_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;  // timer_ has a wait pending that curl still wants
  bool soon_posted_ = false;  // a "0 ms" timeout is queued on the loop
  std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> watches_;
  // Handlers hold a weak_ptr to this token and do nothing once it has expired, so a handler
  // that runs after the destructor never touches freed memory.
  std::shared_ptr<CurlMulti*> alive_;
};

}  // namespace wirewatch::fetch
