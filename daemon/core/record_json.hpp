// The record's JSON line form: the single serializer every sink and command uses.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/record.hpp"

namespace wirewatch::core {

/// The record as an ordered JSON object, fields in the order of docs/record.md.
nlohmann::ordered_json to_json(const Record& record);

/// The record as one line of JSON, without the trailing newline. Never throws on bad UTF-8:
/// strings are repaired on the way in, and the dump replaces anything left.
std::string to_json_line(const Record& record);

/// Reads the fields of a record back from JSON (used by `classify`, which accepts any object
/// with title/summary/content). Missing fields stay empty; wrong types throw nlohmann errors.
Record record_from_json(const nlohmann::json& object);

}  // namespace wirewatch::core
