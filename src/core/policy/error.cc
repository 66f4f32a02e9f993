#include "core/policy/error.h"

namespace authgate::core::policy {

std::string_view toString(Error error) {
  switch (error) {
    case Error::MalformedYaml:
      return "MalformedYaml";
    case Error::UnknownKey:
      return "UnknownKey";
    case Error::DuplicateKey:
      return "DuplicateKey";
    case Error::WrongType:
      return "WrongType";
    case Error::MissingField:
      return "MissingField";
    case Error::EmptyValue:
      return "EmptyValue";
    case Error::BadAction:
      return "BadAction";
    case Error::BadIp:
      return "BadIp";
    case Error::BadPort:
      return "BadPort";
    case Error::BadPathTemplate:
      return "BadPathTemplate";
    case Error::UnknownAttribute:
      return "UnknownAttribute";
    case Error::BadValue:
      return "BadValue";
    case Error::UnsupportedDocument:
      return "UnsupportedDocument";
    case Error::TooLarge:
      return "TooLarge";
  }
  return "Unknown";
}

std::string toString(const LoadError& error) {
  return error.where.empty() ? error.message : error.where + ": " + error.message;
}

}  // namespace authgate::core::policy
