#include "interpreter/validate/render.h"

namespace slipway::validate {

bool ParseFormat(std::string_view name, Format* format) {
  if (name == "text") {
    *format = Format::kText;
  } else if (name == "json") {
    *format = Format::kJson;
  } else if (name == "sarif") {
    *format = Format::kSarif;
  } else if (name == "github") {
    *format = Format::kGithub;
  } else {
    return false;
  }
  return true;
}

std::string Render(Format format, const SourceManager& sources,
                   const std::vector<FileResult>& files) {
  switch (format) {
    case Format::kText:
      return RenderText(sources, files);
    case Format::kJson:
      return RenderJson(files);
    case Format::kSarif:
      return RenderSarif(files);
    case Format::kGithub:
      return RenderGithub(files);
  }
  return {};
}

}  // namespace slipway::validate
