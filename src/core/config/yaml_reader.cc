#include "core/config/yaml_reader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <set>
#include <sstream>

#include "core/config/loader.h"
#include "core/config/schema.h"
#include "core/config/suggest.h"
#include "core/config/values.h"
#include "core/encoding/yaml_kind.h"

namespace authgate::core::config {
namespace {

std::string lineOf(const YAML::Node& node) {
  return " (line " + std::to_string(node.Mark().line + 1) + ")";
}

// A key segment fit to print: printable ASCII, at most 64 characters.
std::string printable(std::string_view segment) {
  std::string out;
  for (char c : segment.substr(0, 64)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? c : '?';
  }
  if (segment.size() > 64) {
    out += "...";
  }
  return out;
}

bool isSection(std::string_view path) {
  for (const Option& option : options()) {
    if (option.key.size() > path.size() && option.key.starts_with(path) &&
        option.key[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

// Records where each document starts, ignoring its content.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::string at(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
         ": ";
}

// A problem when the text holds more than one document, or a token yaml-cpp 0.7 cannot consume.
// YAML::LoadAll loops forever on such a token (a stray ',' at the start of a document:
// jbeder/yaml-cpp#1040, fixed upstream after 0.7), so the documents are counted here with at
// most three steps of the parser, and a step that does not advance is reported.
std::optional<std::string> checkSingleDocument(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts handler;
  for (int step = 0; step < 3 && parser.HandleNextDocument(handler); ++step) {
  }
  for (std::size_t i = 1; i < handler.starts.size(); ++i) {
    if (handler.starts[i].pos <= handler.starts[i - 1].pos) {
      return at(handler.starts[i]) + "unexpected token";
    }
  }
  if (handler.starts.size() > 1) {
    return std::string("expected one YAML document, found more");
  }
  return std::nullopt;
}

class Reader {
 public:
  Reader(RawValues& values, Problems& problems, StructuredSections& sections)
      : values_(values), problems_(problems), sections_(sections) {}

  // Walks a mapping whose keys are under `prefix` ("" at the top, "cookie." in a section).
  void readMapping(const YAML::Node& map, const std::string& prefix) {
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : map) {
      // Copies: the iterator hands out a proxy whose members die with it.
      const YAML::Node keyNode = entry.first;
      const YAML::Node value = entry.second;
      if (!keyNode.IsScalar()) {
        problems_.push_back({prefix.empty() ? "config" : prefix.substr(0, prefix.size() - 1),
                             "mapping keys must be strings, found " +
                                 std::string(encoding::yamlKindOf(keyNode)) + lineOf(keyNode)});
        continue;
      }
      const std::string path = prefix + printable(keyNode.Scalar());
      if (!seen.insert(path).second) {
        problems_.push_back({path, "duplicate key" + lineOf(keyNode)});
        continue;
      }
      if (const Option* option = findOption(path)) {
        readOption(*option, value);
      } else if (isStructuredSection(path)) {
        sections_[path] = value;
      } else if (isSection(path)) {
        if (value.IsMap()) {
          readMapping(value, path + ".");
        } else if (!value.IsNull()) {
          problems_.push_back({path, "expected a mapping of " + path + ".* options, found " +
                                         encoding::yamlKindOf(value) + lineOf(value)});
        }
      } else {
        problems_.push_back({path, unknownOptionMessage(path) + lineOf(keyNode)});
      }
    }
  }

 private:
  void readOption(const Option& option, const YAML::Node& value) {
    const std::string key(option.key);
    if (value.IsNull()) {
      return;  // "key:" with nothing after it leaves the option unset
    }
    RawValue raw{{}, Source::File, ""};
    if (isList(option)) {
      if (!value.IsSequence()) {
        problems_.push_back({key, std::string("expected a list, found ") +
                                      encoding::yamlKindOf(value) + lineOf(value)});
        return;
      }
      for (const auto& entry : value) {
        const YAML::Node item = entry;
        if (!item.IsScalar()) {
          problems_.push_back({key, std::string("expected a list of scalars, found ") +
                                        encoding::yamlKindOf(item) + " in it" + lineOf(item)});
          return;
        }
        raw.items.push_back(item.Scalar());
      }
    } else {
      if (!value.IsScalar()) {
        problems_.push_back({key, std::string("expected a ") + toString(option.type()) +
                                      ", found " + encoding::yamlKindOf(value) + lineOf(value)});
        return;
      }
      raw.items.push_back(value.Scalar());
    }
    values_[key] = std::move(raw);
  }

  static bool isStructuredSection(std::string_view path) {
    return std::find(std::begin(kStructuredSections), std::end(kStructuredSections), path) !=
           std::end(kStructuredSections);
  }

  RawValues& values_;
  Problems& problems_;
  StructuredSections& sections_;
};

}  // namespace

const std::vector<std::string>& knownNames() {
  static const std::vector<std::string> names = [] {
    std::set<std::string> all;
    for (const Option& option : options()) {
      const std::string key(option.key);
      all.insert(key);
      for (std::size_t dot = key.find('.'); dot != std::string::npos;
           dot = key.find('.', dot + 1)) {
        all.insert(key.substr(0, dot));
      }
    }
    all.insert(std::begin(kStructuredSections), std::end(kStructuredSections));
    return std::vector<std::string>(all.begin(), all.end());
  }();
  return names;
}

std::string unknownOptionMessage(std::string_view key) {
  std::string message = "unknown option";
  if (auto near = nearest(key, knownNames())) {
    message += "; did you mean " + *near + "?";
  }
  return message;
}

bool readYaml(std::string_view text, RawValues& values, Problems& problems,
              StructuredSections& sections) {
  if (text.size() > kMaxYamlBytes) {
    problems.push_back({"config", "file is larger than " + std::to_string(kMaxYamlBytes) +
                                      " bytes (" + std::to_string(text.size()) + ")"});
    return false;
  }
  if (encoding::maxFlowDepth(text) > encoding::kMaxYamlFlowDepth) {
    problems.push_back({"config", "nesting deeper than " +
                                      std::to_string(encoding::kMaxYamlFlowDepth) + " levels"});
    return false;
  }
  // Problems found while walking are kept apart so that a parse error midway through a
  // multi-document stream does not leave half the walk's findings behind.
  Problems found;
  RawValues read;
  StructuredSections structured;
  try {
    const std::string copy(text);
    if (auto problem = checkSingleDocument(copy)) {
      problems.push_back({"config", *problem});
      return false;
    }
    const YAML::Node root = YAML::Load(copy);
    if (root.IsNull()) {
      return true;  // an empty file sets nothing
    }
    if (!root.IsMap()) {
      problems.push_back({"config", std::string("expected a mapping of options, found ") +
                                        encoding::yamlKindOf(root) + lineOf(root)});
      return false;
    }
    Reader(read, found, structured).readMapping(root, "");
  } catch (const YAML::Exception& e) {
    problems.push_back({"config", (e.mark.is_null() ? "" : at(e.mark)) + e.msg});
    return false;
  } catch (const std::exception& e) {
    problems.push_back({"config", std::string("cannot parse YAML: ") + e.what()});
    return false;
  }
  problems.insert(problems.end(), found.begin(), found.end());
  for (auto& [key, raw] : read) {
    values[key] = std::move(raw);
  }
  for (auto& [key, node] : structured) {
    sections[key] = std::move(node);
  }
  return true;
}

}  // namespace authgate::core::config
