// A small JSON surface for the REST codecs, so that nlohmann/json stays inside
// json.cpp (and ws_codec.cpp): a parsed document with read-only object views,
// and a builder for flat Kiwoom-style objects (string values, lists of objects).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace dalbit::kiwoom::json {

// A JSON object inside a Document; valid while the Document lives.
class ObjectView {
 public:
  enum class Kind : std::uint8_t { Missing, Null, Text, NotScalar };
  struct Scalar {
    Kind kind = Kind::Missing;
    std::string text;  // strings as sent; integers in decimal
  };
  enum class ListKind : std::uint8_t { Missing, Null, Objects, NotObjects };
  struct List {
    ListKind kind = ListKind::Missing;
    std::vector<ObjectView> items;
  };

  ObjectView() = default;
  // A string or integer value; NotScalar for objects, arrays, booleans and
  // fractional numbers (Kiwoom sends none of those where a value is expected).
  [[nodiscard]] Scalar scalar(std::string_view key) const;
  [[nodiscard]] List list(std::string_view key) const;

 private:
  friend class Document;
  explicit ObjectView(const void* node) : node_(node) {}
  const void* node_ = nullptr;
};

class Document {
 public:
  // The error names the byte offset only: the text may hold a token.
  [[nodiscard]] static Result<Document> parse(std::string_view text);
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();
  [[nodiscard]] bool is_object() const;
  [[nodiscard]] ObjectView root() const;  // meaningful only when is_object()

 private:
  struct Impl;
  explicit Document(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Keys keep their insertion order in dump(), like Kiwoom's own examples.
class Builder {
 public:
  Builder();
  Builder(Builder&&) noexcept;
  Builder& operator=(Builder&&) noexcept;
  ~Builder();
  void text(std::string_view key, std::string_view value);
  void number(std::string_view key, std::int64_t value);
  // Creates the list at `key` if needed (so an empty list is still written).
  void empty_list(std::string_view key);
  void append(std::string_view key, Builder&& element);
  [[nodiscard]] std::string dump() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dalbit::kiwoom::json
