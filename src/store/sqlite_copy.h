// Shared by Store::backup_to and backup_database. Internal to src/store.
#pragma once

#include <string>

#include "core/result.h"

struct sqlite3;

namespace dalbit::store {

// Copies the main database of `source` to `dest` (see backup.h).
Status copy_database(sqlite3* source, const std::string& dest);

}  // namespace dalbit::store
