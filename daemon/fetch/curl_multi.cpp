#include "fetch/curl_multi.hpp"

#include <boost/asio/post.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

namespace wirewatch::fetch {

namespace asio = boost::asio;

// One socket curl asked us to watch. `what` is curl's latest wish (CURL_POLL_IN/OUT/INOUT);
// `reading`/`writing` say which waits are outstanding, so each direction has at most one.
struct CurlMulti::Watch {
  Watch(asio::io_context& io, curl_socket_t socket) : descriptor(io), fd(socket) {}
  asio::posix::stream_descriptor descriptor;
  curl_socket_t fd;
  int what = 0;
  bool active = true;  // false once curl said CURL_POLL_REMOVE (or the fd was reused)
  bool reading = false;
  bool writing = false;
};

CurlMulti::CurlMulti(asio::io_context& io, Done on_done)
    : io_(io),
      on_done_(std::move(on_done)),
      multi_(curl_multi_init()),
      timer_(io),
      alive_(std::make_shared<CurlMulti*>(this)) {
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  alive_.reset();
  timer_.cancel();
  // curl owns the sockets: stop watching, hand the descriptors back, let curl close them.
  for (auto& [fd, watch] : watches_) {
    watch->active = false;
    boost::system::error_code ignored;
    watch->descriptor.cancel(ignored);
    watch->descriptor.release();
  }
  watches_.clear();
  curl_multi_cleanup(multi_);
}

bool CurlMulti::add(CURL* easy) {
  return curl_multi_add_handle(multi_, easy) == CURLM_OK;
}

void CurlMulti::remove(CURL* easy) {
  curl_multi_remove_handle(multi_, easy);
}

int CurlMulti::on_socket(CURL*, curl_socket_t socket, int what, void* self, void*) {
  auto* multi = static_cast<CurlMulti*>(self);
  if (what == CURL_POLL_REMOVE) {
    multi->forget(socket);
  } else {
    multi->watch(socket, what);
  }
  return 0;
}

// Stops watching a socket curl is done with. release(), never close: curl closes it itself
// (or keeps it in its connection cache for the next transfer to the same host).
void CurlMulti::forget(curl_socket_t socket) {
  const auto found = watches_.find(socket);
  if (found == watches_.end()) return;
  auto& watch = *found->second;
  watch.active = false;
  boost::system::error_code ignored;
  watch.descriptor.cancel(ignored);
  watch.descriptor.release();
  watches_.erase(found);
}

void CurlMulti::watch(curl_socket_t socket, int what) {
  auto found = watches_.find(socket);
  if (found == watches_.end()) {
    auto watch = std::make_shared<Watch>(io_, socket);
    boost::system::error_code error;
    watch->descriptor.assign(socket, error);
    if (error) return;  // curl's own timeout will end the transfer
    found = watches_.emplace(socket, std::move(watch)).first;
  }
  found->second->what = what;
  arm(found->second);
}

// Starts the waits curl wants that are not already outstanding. Called after every event,
// because an asio wait fires once and curl expects level-triggered readiness.
void CurlMulti::arm(const std::shared_ptr<Watch>& watch) {
  if (!watch->active) return;
  const std::weak_ptr<CurlMulti*> alive = alive_;
  if ((watch->what & CURL_POLL_IN) && !watch->reading) {
    watch->reading = true;
    watch->descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                                 [alive, watch](const boost::system::error_code& error) {
                                   if (auto self = alive.lock())
                                     (*self)->on_ready(watch, CURL_CSELECT_IN, error);
                                 });
  }
  if ((watch->what & CURL_POLL_OUT) && !watch->writing) {
    watch->writing = true;
    watch->descriptor.async_wait(asio::posix::descriptor_base::wait_write,
                                 [alive, watch](const boost::system::error_code& error) {
                                   if (auto self = alive.lock())
                                     (*self)->on_ready(watch, CURL_CSELECT_OUT, error);
                                 });
  }
}

void CurlMulti::on_ready(const std::shared_ptr<Watch>& watch, int direction,
                         const boost::system::error_code& error) {
  (direction == CURL_CSELECT_IN ? watch->reading : watch->writing) = false;
  if (error == asio::error::operation_aborted || !watch->active) return;
  const int wanted = direction == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
  if (!(watch->what & wanted)) return;  // curl changed its mind while the wait was pending
  socket_action(watch->fd, error ? direction | CURL_CSELECT_ERR : direction);
  drain();
  arm(watch);  // re-arm whatever curl still wants; a no-op if the socket was removed
}

int CurlMulti::on_timer(CURLM*, long timeout_ms, void* self) {
  auto* multi = static_cast<CurlMulti*>(self);
  const std::weak_ptr<CurlMulti*> alive = multi->alive_;
  if (timeout_ms <= 0) {
    if (multi->timer_armed_) {
      multi->timer_.cancel();
      multi->timer_armed_ = false;
    }
    // A 0 ms timeout means "soon": it completes through the loop, never inline, so curl is
    // not re-entered from its own callback. Posted rather than timed: curl asks for it on
    // every added transfer, and re-arming the loop's timerfd each time was ~12% of the CPU
    // of a cycle of 304s. A spurious timeout later is harmless to curl.
    if (timeout_ms == 0 && !multi->soon_posted_) {
      multi->soon_posted_ = true;
      asio::post(multi->timer_.get_executor(), [alive] {
        if (auto owner = alive.lock()) {
          (*owner)->soon_posted_ = false;
          (*owner)->on_timeout();
        }
      });
    }
    return 0;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // Curl re-announces nearly the same deadline often; within a millisecond, keep the one set.
  if (multi->timer_armed_ && multi->timer_.expiry() <= deadline &&
      deadline - multi->timer_.expiry() < std::chrono::milliseconds(1)) {
    return 0;
  }
  multi->timer_.expires_at(deadline);  // a pending wait completes with operation_aborted
  multi->timer_armed_ = true;
  multi->timer_.async_wait([alive](const boost::system::error_code& error) {
    if (error == asio::error::operation_aborted) return;
    if (auto owner = alive.lock()) {
      (*owner)->timer_armed_ = false;
      (*owner)->on_timeout();
    }
  });
  return 0;
}

void CurlMulti::on_timeout() {
  socket_action(CURL_SOCKET_TIMEOUT, 0);
  drain();
}

void CurlMulti::socket_action(curl_socket_t socket, int events) {
  int running = 0;
  curl_multi_socket_action(multi_, socket, events, &running);
}

// Collects every finished transfer after a socket_action, then reports them; reporting
// happens here, outside curl's callbacks, so the callee may remove and add handles.
void CurlMulti::drain() {
  std::vector<std::pair<CURL*, CURLcode>> finished;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg == CURLMSG_DONE)
      finished.emplace_back(message->easy_handle, message->data.result);
  }
  const std::weak_ptr<CurlMulti*> alive = alive_;
  for (const auto& [easy, result] : finished) {
    if (!alive.lock()) return;  // the owner was destroyed by an earlier report
    on_done_(easy, result);
  }
}

}  // namespace wirewatch::fetch
