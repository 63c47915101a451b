// The record's JSON line form: the single serializer every sink and command uses.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/record.hpp"

namespace wirewatch::core {

/// The record as an ordered JSON object, fields in the order of docs/record.md.
nlohmann::ordered_json to_json(const Record& record);

/// The record as one line of JSON, without the trailing newline: exactly
/// to_json(record).dump() with invalid UTF-8 replaced (U+FFFD), written without the DOM.
/// Never throws on bad UTF-8.
std::string to_json_line(const Record& record);

/// The line in two parts, so the costly part can be written before the store has decided
/// seq, id and event: to_json_fields is everything after "event" (from "feed" to the closing
/// brace), and assemble_json_line puts the head in front of it.
/// to_json_line(r) == assemble_json_line(r.seq, r.id, r.event, to_json_fields(r)).
std::string to_json_fields(const Record& record);
std::string assemble_json_line(std::optional<std::int64_t> seq, std::string_view id, Event event,
                               std::string_view fields);

/// Reads the fields of a record back from JSON (used by `classify`, which accepts any object
/// with title/summary/content). Missing fields stay empty; wrong types throw nlohmann errors.
Record record_from_json(const nlohmann::json& object);

}  // namespace wirewatch::core
