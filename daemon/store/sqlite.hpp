// Internal: a thin RAII layer over the SQLite C API (connection and prepared statements).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/types.hpp"

namespace wirewatch::store::detail {

/// One prepared statement, reset after every use.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  /// Binds parameter index (1-based). Text is copied by SQLite.
  void bind(int index, std::string_view text);
  /// Binds text without copying it: it must stay alive and unchanged until the next step.
  void bind_static(int index, std::string_view text);
  void bind(int index, std::int64_t number);
  void bind(int index, std::optional<std::int64_t> number);  // NULL when empty
  void bind_null(int index);

  /// Steps once: true with a row, false when done; on an error returns false and sets error.
  bool step(std::string& error);

  /// Runs a statement that returns no rows, then resets it. "" on success, else why not.
  std::string run();

  /// Columns of the current row (0-based).
  std::int64_t column_int(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;
  std::string_view column_text(int index) const;

  /// Clears bindings and rewinds, ready for the next use.
  void reset();

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
};

/// One connection.
class Database {
 public:
  Database() = default;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Opens (or creates) the database file.
  static Result<Database> open(const std::string& path, bool read_only = false);

  /// Runs one or more statements without results. "" on success, else SQLite's message.
  std::string exec(std::string_view sql);

  /// Prepares a statement for reuse.
  Result<Statement> prepare(std::string_view sql);

  /// Rows changed by the last statement.
  std::int64_t changes() const;

  /// The connection's last error message.
  std::string last_error() const;

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace wirewatch::store::detail
