// Build-time tool: embed_json IN OUT_CC NAMESPACE VAR writes OUT_CC defining
//   namespace NAMESPACE { extern const char VAR[] = "<IN, minified>"; }
// The schemas are parsed at every `slipway validate`; without their indentation (60 KB → 22 KB
// for the workflow schema) that costs a third less. Key order is kept (ordered_json), so
// `slipway schema` prints the file's structure; a file that is not JSON fails the build.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: embed_json IN OUT_CC NAMESPACE VAR\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "embed_json: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::string minified;
  try {
    minified = nlohmann::ordered_json::parse(text.str()).dump();
  } catch (const std::exception& e) {
    std::cerr << argv[1] << ": not JSON: " << e.what() << "\n";
    return 1;
  }
  const std::string delimiter = "slipway_embed";
  if (minified.find(")" + delimiter + "\"") != std::string::npos) {
    std::cerr << argv[1] << " contains the raw-string delimiter\n";
    return 1;
  }
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << "// Generated from " << argv[1] << " by cmake/embed_json.cc; do not edit.\n"
      << "namespace " << argv[3] << " {\n"
      << "extern const char " << argv[4] << "[];\n"
      << "const char " << argv[4] << "[] = R\"" << delimiter << "(" << minified << ")"
      << delimiter << "\";\n"
      << "}  // namespace " << argv[3] << "\n";
  out.close();
  if (!out) {
    std::cerr << "embed_json: cannot write " << argv[2] << "\n";
    return 1;
  }
  return 0;
}
