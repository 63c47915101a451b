#include "sinks/socket/socket_sink.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <nlohmann/json.hpp>

namespace wirewatch::sinks {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

/// One connected client: an optional hello, then replay from the outbox, then live records.
class SocketSink::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(SocketSink& owner, stream_protocol::socket socket, std::uint64_t id)
      : owner_(&owner),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        hello_(4096),
        id_(id) {}

  void start() {
    auto self = shared_from_this();
    timer_.expires_after(owner_->options_.hello_timeout);
    timer_.async_wait([self](boost::system::error_code error) {
      if (!error && self->state_ == State::waiting_hello) self->go_live();
    });
    asio::async_read_until(socket_, hello_, '\n',
                           [self](boost::system::error_code error, std::size_t length) {
                             self->on_hello(error, length);
                           });
  }

  /// A live record, shared by every client.
  void deliver(std::int64_t seq, const std::vector<std::string>& labels,
               const std::shared_ptr<const std::string>& line) {
    if (state_ != State::live || (last_queued_ && seq <= *last_queued_)) return;
    last_queued_ = seq;
    if (!filter_.accepts(labels)) return;
    if (queue_.size() >= owner_->options_.max_queued_records ||
        queued_bytes_ + line->size() > owner_->options_.max_queued_bytes) {
      stop("queue full: the client reads slower than records arrive");
      return;
    }
    enqueue(line);
  }

  void stop(std::string_view reason) {
    if (state_ == State::closed) return;
    state_ = State::closed;
    if (!reason.empty() && owner_ != nullptr) {
      spdlog::warn("Socket client dropped. client={} reason=\"{}\"", id_, reason);
      if (reason.starts_with("queue full")) ++owner_->dropped_clients_;
    }
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
    if (owner_ != nullptr) owner_->sessions_.erase(shared_from_this());
  }

  void detach() {
    owner_ = nullptr;
    state_ = State::closed;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

 private:
  enum class State { waiting_hello, replaying, live, draining, closed };

  void on_hello(boost::system::error_code error, std::size_t length) {
    if (state_ == State::closed || owner_ == nullptr) return;
    if (error) {
      if (state_ == State::waiting_hello && error == asio::error::not_found) {
        fail("hello line longer than 4096 bytes");
      } else if (state_ == State::waiting_hello && error != asio::error::eof) {
        stop({});
      } else if (state_ == State::waiting_hello) {
        go_live();  // the client sent nothing and closed its side: just follow
      }
      return;
    }
    if (state_ != State::waiting_hello) {  // too late: already live; ignore what it sends
      watch_for_close();
      return;
    }
    timer_.cancel();
    std::string line(asio::buffers_begin(hello_.data()),
                     asio::buffers_begin(hello_.data()) + static_cast<std::ptrdiff_t>(length));
    hello_.consume(length);
    if (std::string problem = apply_hello(line); !problem.empty()) {
      fail(problem);
      return;
    }
    watch_for_close();
    if (since_) {
      last_queued_ = *since_;
      state_ = State::replaying;
      replay_step();
    } else {
      go_live();
    }
  }

  /// Parses {"since": N, "labels": [...], "follow": bool}; returns a problem or "".
  std::string apply_hello(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) return {};
    const auto hello = nlohmann::json::parse(line, nullptr, false);
    if (hello.is_discarded() || !hello.is_object()) return "hello is not a JSON object";
    for (const auto& [key, value] : hello.items()) {
      if (key == "since") {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
          return "\"since\" must be a non-negative integer";
        }
        since_ = value.get<std::int64_t>();
      } else if (key == "labels") {
        if (!value.is_array()) return "\"labels\" must be an array of label names";
        filter_.mode = LabelFilter::Mode::listed;
        for (const auto& label : value) {
          if (!label.is_string()) return "\"labels\" must be an array of label names";
          filter_.labels.push_back(label.get<std::string>());
        }
      } else if (key == "last") {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
          return "\"last\" must be a non-negative integer";
        }
        const std::int64_t head = owner_->last_seq_.value_or(0);
        if (!since_) since_ = std::max<std::int64_t>(0, head - value.get<std::int64_t>());
      } else if (key == "follow") {
        if (!value.is_boolean()) return "\"follow\" must be true or false";
        follow_ = value.get<bool>();
      } else {
        return "unknown hello key \"" + key + "\" (expected since, last, labels, follow)";
      }
    }
    return {};
  }

  void fail(const std::string& problem) {
    nlohmann::json error_line{{"error", problem}};
    enqueue(std::make_shared<const std::string>(error_line.dump() + "\n"));
    state_ = State::draining;
  }

  void go_live() {
    if (!follow_) {
      state_ = State::draining;
      if (queue_.empty()) stop({});
      return;
    }
    state_ = State::live;
    if (!last_queued_) last_queued_ = owner_->last_seq_;
  }

  /// Reads the next page of retained records, at most one page queued at a time.
  void replay_step() {
    if (state_ != State::replaying || owner_ == nullptr) return;
    const std::size_t page = owner_->options_.replay_page;
    std::vector<OutboxRecord> records = owner_->reader_(*last_queued_, page);
    for (const auto& record : records) {
      last_queued_ = record.seq;
      if (owner_->filter_.accepts(record.labels) && filter_.accepts(record.labels)) {
        enqueue(std::make_shared<const std::string>(record.json + "\n"));
      }
    }
    if (records.size() < page) {
      go_live();  // caught up with the outbox; later records arrive through deliver()
    } else if (queue_.empty()) {
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->replay_step(); });
    }
  }

  void enqueue(std::shared_ptr<const std::string> line) {
    queued_bytes_ += line->size();
    queue_.push_back(std::move(line));
    if (!writing_) write_next();
  }

  void write_next() {
    if (queue_.empty()) {
      writing_ = false;
      if (state_ == State::replaying) replay_step();
      if (state_ == State::draining && queue_.empty()) stop({});
      return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(*queue_.front()),
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        if (self->state_ == State::closed) return;
                        if (error) {
                          self->stop({});  // the client went away
                          return;
                        }
                        self->queued_bytes_ -= self->queue_.front()->size();
                        self->queue_.pop_front();
                        self->write_next();
                      });
  }

  /// Keeps a read pending so a vanished client is noticed; what it sends is ignored.
  void watch_for_close() {
    socket_.async_read_some(
        asio::buffer(discard_),
        [self = shared_from_this()](boost::system::error_code error, std::size_t) {
          if (self->state_ == State::closed) return;
          if (error == asio::error::eof) return;  // half-close: keep writing
          if (error) {
            self->stop({});
            return;
          }
          self->watch_for_close();
        });
  }

  SocketSink* owner_;
  stream_protocol::socket socket_;
  asio::steady_timer timer_;
  asio::streambuf hello_;
  std::array<char, 512> discard_{};
  std::uint64_t id_;
  State state_ = State::waiting_hello;
  LabelFilter filter_;
  std::optional<std::int64_t> since_;
  std::optional<std::int64_t> last_queued_;
  bool follow_ = true;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
};

SocketSink::SocketSink(asio::io_context& io, SocketSinkOptions options, OutboxReader reader,
                       LabelFilter filter)
    : io_(io),
      options_(std::move(options)),
      reader_(std::move(reader)),
      filter_(std::move(filter)),
      name_("socket:" + options_.path.string()) {}

SocketSink::~SocketSink() {
  close();
}

WriteResult SocketSink::open(std::optional<std::int64_t> stored_cursor) {
  last_seq_ = stored_cursor;
  boost::system::error_code error;
  acceptor_ = std::make_unique<stream_protocol::acceptor>(io_);
  if (options_.inherited_fd >= 0) {
    acceptor_->assign(stream_protocol(), options_.inherited_fd, error);
  } else {
    std::error_code ignored;
    std::filesystem::create_directories(options_.path.parent_path(), ignored);
    // A socket file left by a previous run (the lock in the state dir guarantees it is not
    // another live instance's) would make bind fail.
    if (std::filesystem::is_socket(options_.path, ignored)) {
      std::filesystem::remove(options_.path, ignored);
    }
    acceptor_->open(stream_protocol(), error);
    if (!error) acceptor_->bind(stream_protocol::endpoint(options_.path.string()), error);
    if (!error) acceptor_->listen(asio::socket_base::max_listen_connections, error);
    if (!error && ::chmod(options_.path.c_str(), options_.mode) != 0) {
      error = boost::system::error_code(errno, boost::system::system_category());
    }
  }
  if (error) {
    return {WriteStatus::error, std::nullopt,
            options_.path.string() + ": cannot listen: " + error.message()};
  }
  accept_next();
  return {WriteStatus::ok, stored_cursor, {}};
}

void SocketSink::accept_next() {
  // The handler may run after this sink is gone (a reload closes and destroys it while the
  // aborted accept is still queued): it checks `alive` before touching `this`.
  acceptor_->async_accept([this, alive = std::weak_ptr<bool>(alive_)](
                              boost::system::error_code error, stream_protocol::socket socket) {
    if (alive.expired() || closed_) return;
    if (!error) {
      if (sessions_.size() >= options_.max_clients) {
        spdlog::warn("Socket client refused. reason=\"too many clients\" max={}",
                     options_.max_clients);
      } else {
        auto session = std::make_shared<Session>(*this, std::move(socket), next_client_id_++);
        sessions_.insert(session);
        session->start();
      }
    } else if (error == asio::error::operation_aborted) {
      return;
    }
    accept_next();
  });
}

WriteResult SocketSink::write(std::span<const OutboxRecord* const> records) {
  for (const OutboxRecord* record : records) {
    if (!filter_.accepts(record->labels)) continue;
    auto line = std::make_shared<const std::string>(record->json + "\n");
    // deliver() may drop a session, which erases it from the set: iterate over a copy.
    const std::vector<std::shared_ptr<Session>> clients(sessions_.begin(), sessions_.end());
    for (const auto& client : clients) client->deliver(record->seq, record->labels, line);
  }
  if (!records.empty()) last_seq_ = records.back()->seq;
  return {WriteStatus::ok, last_seq_, {}};
}

void SocketSink::close() {
  if (closed_) return;
  closed_ = true;
  if (acceptor_) {
    boost::system::error_code ignored;
    if (options_.inherited_fd >= 0) {
      // systemd's socket: keep it open for the sink a reload opens next, and leave its file.
      acceptor_->release(ignored);
    } else {
      acceptor_->close(ignored);
      std::error_code also_ignored;
      std::filesystem::remove(options_.path, also_ignored);
    }
  }
  for (const auto& session : sessions_) session->detach();
  sessions_.clear();
}

std::size_t SocketSink::client_count() const {
  return sessions_.size();
}

}  // namespace wirewatch::sinks
