#include "pipeline/metrics.hpp"

#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>

namespace wirewatch::pipeline {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

template <typename Map>
void labelled(std::string& out, const char* name, const char* label, const Map& values) {
  for (const auto& [key, value] : values) {
    out += std::string(name) + "{" + label + "=\"" + key + "\"} " + std::to_string(value) + "\n";
  }
}

void single(std::string& out, const char* name, std::int64_t value) {
  out += std::string(name) + " " + std::to_string(value) + "\n";
}

std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<std::int64_t>(pages_resident) * ::sysconf(_SC_PAGESIZE);
}

/// One request, one response, then close: scrapers open a connection per scrape anyway.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(tcp::socket socket, std::function<std::string()> snapshot)
      : stream_(std::move(socket)), snapshot_(std::move(snapshot)) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       if (!error) self->respond();
                     });
  }

 private:
  void respond() {
    const bool found = request_.target() == "/metrics" || request_.target() == "/";
    response_.version(request_.version());
    response_.keep_alive(false);
    response_.result(found ? http::status::ok : http::status::not_found);
    response_.set(http::field::content_type, found ? "text/plain; version=0.0.4" : "text/plain");
    response_.body() = found ? snapshot_() : "not found; try /metrics\n";
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{8192};
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::function<std::string()> snapshot_;
};

}  // namespace

std::string Metrics::render() const {
  std::string out;
  family(out, "wirewatch_polls_total", "counter", "Feed polls by outcome class.");
  labelled(out, "wirewatch_polls_total", "class", polls);
  family(out, "wirewatch_records_total", "counter", "Records that entered the outbox, by event.");
  labelled(out, "wirewatch_records_total", "event", records);
  family(out, "wirewatch_flagged_total", "counter", "Records flagged, by label.");
  labelled(out, "wirewatch_flagged_total", "label", flagged);
  family(out, "wirewatch_feeds", "gauge", "Configured feeds by health.");
  labelled(out, "wirewatch_feeds", "health", feeds_by_health);
  family(out, "wirewatch_sink_cursor", "gauge", "Last seq each sink has made durable.");
  labelled(out, "wirewatch_sink_cursor", "sink", sink_cursor);
  family(out, "wirewatch_fetched_bytes_total", "counter", "Decoded body bytes fetched.");
  single(out, "wirewatch_fetched_bytes_total", static_cast<std::int64_t>(fetched_bytes));
  family(out, "wirewatch_outbox_last_seq", "gauge", "Highest seq in the outbox.");
  single(out, "wirewatch_outbox_last_seq", last_seq);
  family(out, "wirewatch_socket_clients", "gauge", "Connected socket sink clients.");
  single(out, "wirewatch_socket_clients", socket_clients);
  family(out, "wirewatch_socket_dropped_total", "counter", "Socket clients dropped as too slow.");
  single(out, "wirewatch_socket_dropped_total", static_cast<std::int64_t>(socket_dropped));
  family(out, "wirewatch_store_commits_total", "counter", "Store transactions committed.");
  single(out, "wirewatch_store_commits_total", static_cast<std::int64_t>(store_commits));
  family(out, "wirewatch_reloads_total", "counter", "Configuration reloads (SIGHUP) applied.");
  single(out, "wirewatch_reloads_total", static_cast<std::int64_t>(reloads));
  family(out, "wirewatch_reload_failures_total", "counter", "Reloads rejected as invalid.");
  single(out, "wirewatch_reload_failures_total", static_cast<std::int64_t>(reload_failures));
  family(out, "wirewatch_resident_bytes", "gauge", "Resident memory of the daemon.");
  single(out, "wirewatch_resident_bytes", resident_bytes());
  return out;
}

MetricsServer::MetricsServer(asio::io_context& io, std::function<std::string()> snapshot)
    : io_(io), snapshot_(std::move(snapshot)) {}

MetricsServer::~MetricsServer() {
  close();
}

std::string MetricsServer::listen(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return "metrics.listen: expected host:port, got " + host_port;
  boost::system::error_code error;
  const auto address = asio::ip::make_address(host_port.substr(0, colon), error);
  if (error) return "metrics.listen: bad address in " + host_port;
  unsigned long port = 0;
  try {
    port = std::stoul(host_port.substr(colon + 1));
  } catch (const std::exception&) {
    return "metrics.listen: bad port in " + host_port;
  }
  if (port > 65535) return "metrics.listen: bad port in " + host_port;
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor_->open(endpoint.protocol(), error);
  if (!error) acceptor_->set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_->bind(endpoint, error);
  if (!error) acceptor_->listen(asio::socket_base::max_listen_connections, error);
  if (error) return "metrics.listen: cannot listen on " + host_port + ": " + error.message();
  accept_next();
  return {};
}

unsigned short MetricsServer::port() const {
  boost::system::error_code error;
  return acceptor_ ? acceptor_->local_endpoint(error).port() : 0;
}

void MetricsServer::close() {
  if (!acceptor_) return;
  boost::system::error_code ignored;
  acceptor_->close(ignored);
  acceptor_.reset();
}

void MetricsServer::accept_next() {
  acceptor_->async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor_) return;
    if (!error) std::make_shared<Exchange>(std::move(socket), snapshot_)->start();
    accept_next();
  });
}

}  // namespace wirewatch::pipeline
