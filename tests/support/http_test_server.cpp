#include "http_test_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace wirewatch::test_support {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string path_of(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

}  // namespace

std::optional<std::string> ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

struct HttpTestServer::State {
  asio::io_context io;  // never run: the server uses blocking calls only
  tcp::acceptor acceptor{io};
  unsigned short port = 0;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};

  mutable std::mutex mutex;  // guards everything below
  std::map<std::string, Handler> routes;
  std::vector<ReceivedRequest> log;
  std::vector<std::thread> connection_threads;
  std::set<int> open_sockets;
  std::size_t connections = 0;
  std::size_t in_flight = 0;
  std::size_t max_in_flight = 0;

  void accept_loop();
  void serve(tcp::socket socket, std::size_t number);
  bool answer(tcp::socket& socket, const ReceivedRequest& request, bool keep_alive);
  void drip(tcp::socket& socket, const ScriptedResponse& response);
};

void HttpTestServer::State::accept_loop() {
  while (!stopping) {
    tcp::socket socket(io);
    boost::system::error_code error;
    acceptor.accept(socket, error);
    if (error || stopping) return;
    std::lock_guard lock(mutex);
    const auto number = ++connections;
    open_sockets.insert(socket.native_handle());
    connection_threads.emplace_back(
        [this, number, s = std::move(socket)]() mutable { serve(std::move(s), number); });
  }
}

void HttpTestServer::State::serve(tcp::socket socket, std::size_t number) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    boost::system::error_code error;
    http::read(socket, buffer, parser, error);
    if (error) break;
    const auto& message = parser.get();
    ReceivedRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.body = message.body();
    request.connection = number;
    for (const auto& field : message)
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    {
      std::lock_guard lock(mutex);
      log.push_back(request);
      max_in_flight = std::max(max_in_flight, ++in_flight);
    }
    const bool keep_going = answer(socket, request, message.keep_alive());
    {
      std::lock_guard lock(mutex);
      --in_flight;
    }
    if (!keep_going || stopping) break;
  }
  std::lock_guard lock(mutex);
  open_sockets.erase(socket.native_handle());
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// Writes the answer; returns whether the connection stays open for another request.
bool HttpTestServer::State::answer(tcp::socket& socket, const ReceivedRequest& request,
                                   bool keep_alive) {
  Handler handler;
  {
    std::lock_guard lock(mutex);
    const auto found = routes.find(path_of(request.target));
    if (found != routes.end()) handler = found->second;
  }
  ScriptedResponse response;
  if (handler) {
    try {
      response = handler(request);
    } catch (const std::exception& error) {
      response = {500, {}, std::string("handler threw: ") + error.what()};
    }
  } else {
    response = {404, {{"Content-Type", "text/plain"}}, "no route"};
  }
  boost::system::error_code error;
  if (response.reset) {
    socket.set_option(asio::socket_base::linger(true, 0), error);
    return false;  // closing with linger 0 sends an RST
  }
  if (response.raw) {
    asio::write(socket, asio::buffer(*response.raw), error);
    return false;
  }
  if (response.drip_interval.count() > 0) {
    drip(socket, response);
    return false;
  }
  http::response<http::string_body> message{static_cast<http::status>(response.status), 11};
  for (const auto& [name, value] : response.headers) message.insert(name, value);
  message.body() = response.body;
  if (response.chunked) {
    message.chunked(true);
  } else {
    message.prepare_payload();
  }
  message.keep_alive(keep_alive && !response.close);
  http::write(socket, message, error);
  return !error && keep_alive && !response.close;
}

// Sends the header at once, then the body one byte per interval until done or stopped.
void HttpTestServer::State::drip(tcp::socket& socket, const ScriptedResponse& response) {
  std::string head =
      "HTTP/1.1 " + std::to_string(response.status) + " " +
      std::string(http::obsolete_reason(static_cast<http::status>(response.status))) +
      "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += "Connection: close\r\n\r\n";
  boost::system::error_code error;
  asio::write(socket, asio::buffer(head), error);
  for (std::size_t i = 0; i < response.body.size() && !error && !stopping; ++i) {
    std::this_thread::sleep_for(response.drip_interval);
    asio::write(socket, asio::buffer(&response.body[i], 1), error);
  }
}

HttpTestServer::HttpTestServer() : state_(std::make_shared<State>()) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen(asio::socket_base::max_listen_connections);
  state_->port = state_->acceptor.local_endpoint().port();
  state_->accept_thread = std::thread([state = state_.get()] { state->accept_loop(); });
}

HttpTestServer::~HttpTestServer() {
  stop();
}

void HttpTestServer::stop() {
  if (state_->stopping.exchange(true)) return;
  // shutdown() wakes a blocked accept() or read() on Linux; the owning thread closes.
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
  if (state_->accept_thread.joinable()) state_->accept_thread.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->mutex);
    for (int fd : state_->open_sockets) ::shutdown(fd, SHUT_RDWR);
    threads = std::move(state_->connection_threads);
  }
  for (auto& thread : threads) thread.join();
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

void HttpTestServer::route(std::string path, Handler handler) {
  std::lock_guard lock(state_->mutex);
  state_->routes[std::move(path)] = std::move(handler);
}

void HttpTestServer::route(std::string path, unsigned status, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers) {
  route(std::move(path),
        [status, body = std::move(body), headers = std::move(headers)](const ReceivedRequest&) {
          return ScriptedResponse{status, headers, body};
        });
}

unsigned short HttpTestServer::port() const {
  return state_->port;
}

std::string HttpTestServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(state_->port) + std::string(path);
}

std::vector<ReceivedRequest> HttpTestServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}

std::vector<ReceivedRequest> HttpTestServer::requests(std::string_view path) const {
  std::lock_guard lock(state_->mutex);
  std::vector<ReceivedRequest> matching;
  for (const auto& request : state_->log)
    if (path_of(request.target) == path) matching.push_back(request);
  return matching;
}

std::size_t HttpTestServer::connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections;
}

std::size_t HttpTestServer::in_flight() const {
  std::lock_guard lock(state_->mutex);
  return state_->in_flight;
}

std::size_t HttpTestServer::max_in_flight() const {
  std::lock_guard lock(state_->mutex);
  return state_->max_in_flight;
}

}  // namespace wirewatch::test_support
