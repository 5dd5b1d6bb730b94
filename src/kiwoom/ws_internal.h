// Private to src/kiwoom: the generic shape every WebSocket frame is read into
// before it is classified by trnm, and the condition-row FID codec shared by
// ws_codec.cpp and real_codec.cpp.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "kiwoom/ws_codec.h"

namespace dalbit::kiwoom::detail {

// One element of the top-level "data" array: an object (REAL entry, REG
// entry, condition row) or an array (a CNSRLST row ["0", "급등주"]).
struct FrameElement {
  bool is_array = false;
  std::vector<std::pair<std::string, std::string>> fields;  // scalars; positional ("") in arrays
  std::vector<std::pair<std::string, std::vector<std::string>>> lists;  // "item": [...], "type": [...]
  FidValues values;  // the "values" object, and scalars whose key is a number (condition rows)
  bool has_values = false;
  [[nodiscard]] const std::string* field(std::string_view key) const;
  [[nodiscard]] const std::vector<std::string>* list(std::string_view key) const;
};

struct Frame {
  std::vector<std::pair<std::string, std::string>> top;  // top-level scalars as text
  std::vector<FrameElement> data;
  bool has_data = false;
  [[nodiscard]] const std::string* field(std::string_view key) const;
};

// Reads one JSON object. Nested values the protocol does not use are skipped.
// The error names the byte offset only: the frame may hold a token.
[[nodiscard]] Result<Frame> read_frame(std::string_view text);

[[nodiscard]] Result<ConditionRow> decode_condition_row(const FidValues& values);
[[nodiscard]] FidValues encode_condition_row(const ConditionRow& row);

}  // namespace dalbit::kiwoom::detail
