#include "kiwoom/json.h"

#include <nlohmann/json.hpp>

namespace dalbit::kiwoom::json {
namespace {

using nlohmann::json;
const json& node(const void* p) { return *static_cast<const json*>(p); }

}  // namespace

ObjectView::Scalar ObjectView::scalar(std::string_view key) const {
  Scalar out;
  if (node_ == nullptr) return out;
  const json& obj = node(node_);
  const auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (it->is_null()) {
    out.kind = Kind::Null;
  } else if (it->is_string()) {
    out.kind = Kind::Text;
    out.text = it->get_ref<const std::string&>();
  } else if (it->is_number_integer()) {
    out.kind = Kind::Text;
    out.text = it->is_number_unsigned() ? std::to_string(it->get<std::uint64_t>())
                                        : std::to_string(it->get<std::int64_t>());
  } else {
    out.kind = Kind::NotScalar;
  }
  return out;
}

ObjectView::List ObjectView::list(std::string_view key) const {
  List out;
  if (node_ == nullptr) return out;
  const json& obj = node(node_);
  const auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (it->is_null()) {
    out.kind = ListKind::Null;
    return out;
  }
  if (!it->is_array()) {
    out.kind = ListKind::NotObjects;
    return out;
  }
  out.kind = ListKind::Objects;
  out.items.reserve(it->size());
  for (const json& e : *it) {
    if (!e.is_object()) {
      out.kind = ListKind::NotObjects;
      out.items.clear();
      return out;
    }
    out.items.push_back(ObjectView(&e));
  }
  return out;
}

struct Document::Impl {
  json root;
};

Document::Document(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Result<Document> Document::parse(std::string_view text) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // nlohmann's own message quotes the input near the error: never pass it on.
    return Error{"not valid JSON (error at byte " + std::to_string(e.byte) + " of " +
                 std::to_string(text.size()) + ")"};
  }
  return Document(std::move(impl));
}

bool Document::is_object() const { return impl_->root.is_object(); }
ObjectView Document::root() const { return ObjectView(&impl_->root); }

struct Builder::Impl {
  nlohmann::ordered_json obj = nlohmann::ordered_json::object();
};

Builder::Builder() : impl_(std::make_unique<Impl>()) {}
Builder::Builder(Builder&&) noexcept = default;
Builder& Builder::operator=(Builder&&) noexcept = default;
Builder::~Builder() = default;

void Builder::text(std::string_view key, std::string_view value) {
  impl_->obj[std::string(key)] = std::string(value);
}

void Builder::number(std::string_view key, std::int64_t value) { impl_->obj[std::string(key)] = value; }

void Builder::empty_list(std::string_view key) {
  auto& slot = impl_->obj[std::string(key)];
  if (!slot.is_array()) slot = nlohmann::ordered_json::array();
}

void Builder::append(std::string_view key, Builder&& element) {
  empty_list(key);
  impl_->obj[std::string(key)].push_back(std::move(element.impl_->obj));
}

std::string Builder::dump() const { return impl_->obj.dump(); }

}  // namespace dalbit::kiwoom::json
